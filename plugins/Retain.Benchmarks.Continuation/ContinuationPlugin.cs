using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Benchmarks.Continuation;

/// <summary>Registers the continuation-likelihood benchmark.</summary>
public sealed class ContinuationPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddBenchmark<ContinuationBenchmark>();
}
