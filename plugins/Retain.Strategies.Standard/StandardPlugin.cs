using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Strategies.Standard;

/// <summary>Registers the standard SFT objective.</summary>
public sealed class StandardPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<StandardObjective>();
}
