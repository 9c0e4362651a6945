using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Strategies.Talr;

/// <summary>Registers TALR.</summary>
public sealed class TalrPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<TalrObjective>();
}
