using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>Registers the GSM8K benchmarks.</summary>
public sealed class Gsm8kPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddBenchmark<Gsm8kBenchmark>();
        services.AddBenchmark<Gsm8kChatBenchmark>();
    }
}
