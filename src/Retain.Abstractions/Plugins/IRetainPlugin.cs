using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Retain.Plugins;

/// <summary>
/// The entry point of a plugin assembly. The host creates every public, non-abstract implementation it finds with
/// a parameterless constructor and calls <see cref="ConfigureServices"/> once, before the service provider is built.
/// </summary>
public interface IRetainPlugin
{
    /// <summary>
    /// Registers the plugin's components (<c>services.AddStrategy&lt;T&gt;()</c>, <c>AddDataset&lt;T&gt;()</c>,
    /// <c>AddBenchmark&lt;T&gt;()</c>, <c>AddAnswerExtractor&lt;T&gt;()</c>) and any services they need.
    /// </summary>
    /// <param name="services">The host's service collection.</param>
    /// <param name="configuration">The host configuration section <c>Plugins:&lt;PluginName&gt;</c>; empty when absent.</param>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
