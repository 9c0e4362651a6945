using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Plugins;

namespace Retain.Datasets.MedCalc;

/// <summary>Registers the <c>medcalc</c> dataset and its options validator.</summary>
public sealed class MedCalcPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDataset<MedCalcDataset>();
        services.AddSingleton<IValidateOptions<MedCalcOptions>, MedCalcOptionsValidator>();
    }
}
