using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Benchmarks.IFEval;

/// <summary>Registers IFEval.</summary>
public sealed class IFEvalPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddBenchmark<IFEvalBenchmark>();
}
