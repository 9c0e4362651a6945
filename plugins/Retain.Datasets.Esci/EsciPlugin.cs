using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Plugins;

namespace Retain.Datasets.Esci;

/// <summary>Registers the <c>esci</c> dataset and its options validator.</summary>
public sealed class EsciPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDataset<EsciDataset>();
        services.AddSingleton<IValidateOptions<EsciOptions>, EsciOptionsValidator>();
    }
}
