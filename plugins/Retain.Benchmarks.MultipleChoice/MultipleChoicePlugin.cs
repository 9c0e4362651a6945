using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>Registers the log-likelihood multiple-choice benchmarks.</summary>
public sealed class MultipleChoicePlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddBenchmark<ArcEasyBenchmark>();
        services.AddBenchmark<ArcChallengeBenchmark>();
        services.AddBenchmark<PiqaBenchmark>();
        services.AddBenchmark<HellaSwagBenchmark>();
        services.AddBenchmark<MmluBenchmark>();
        services.AddBenchmark<WinograndeBenchmark>();
        services.AddBenchmark<BoolqBenchmark>();
    }
}
