using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Benchmarks.Code;

/// <summary>Registers the code-generation benchmarks.</summary>
public sealed class CodePlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddBenchmark<HumanEvalBenchmark>();
        services.AddBenchmark<MbppBenchmark>();
    }
}
