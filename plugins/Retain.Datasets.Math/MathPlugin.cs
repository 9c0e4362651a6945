using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Plugins;

namespace Retain.Datasets.MathProblems;

/// <summary>Registers the <c>gsm8k</c> and <c>metamathqa</c> datasets and their options validators.</summary>
public sealed class MathPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDataset<Gsm8kDataset>();
        services.AddDataset<MetaMathQaDataset>();
        services.AddSingleton<IValidateOptions<Gsm8kOptions>, MathOptionsValidator<Gsm8kOptions>>();
        services.AddSingleton<IValidateOptions<MetaMathQaOptions>, MathOptionsValidator<MetaMathQaOptions>>();
    }
}
