using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;

namespace Retain.Hosting;

/// <summary>
/// The composed host: plugins discovered and registered, the service provider built. Commands create one per
/// invocation; <see cref="ForRun"/> adds a run configuration validated at start.
/// </summary>
public sealed class RetainHost : IDisposable
{
    private readonly ServiceProvider _provider;

    private RetainHost(ServiceProvider provider, PluginCatalog catalog)
    {
        _provider = provider;
        Catalog = catalog;
    }

    /// <summary>The services.</summary>
    public IServiceProvider Services => _provider;

    /// <summary>What plugin discovery found.</summary>
    public PluginCatalog Catalog { get; }

    /// <summary>Creates components named in configurations.</summary>
    public ComponentFactory Components => _provider.GetRequiredService<ComponentFactory>();

    /// <summary>
    /// Where every host of this process reports plugins that could not be used (broken, ignored duplicates, name
    /// conflicts), one <c>warning:</c> line each; the CLI points it at standard error. Null: not reported.
    /// </summary>
    public static TextWriter? PluginWarnings { get; set; }

    /// <summary>Builds a host with the standard plugin folders after <paramref name="pluginPaths"/>.</summary>
    public static RetainHost Build(IEnumerable<PluginSearchPath>? pluginPaths = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        var catalog = services.AddRetainPlugins(pluginPaths ?? []);
        if (PluginWarnings is { } warnings)
        {
            foreach (var failure in catalog.Failures) warnings.WriteLine($"warning: plugin {failure.Path}: {failure.Reason}");
        }
        services.AddSingleton<ComponentFactory>();
        services.AddLogging();
        configure?.Invoke(services);
        return new RetainHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }), catalog);
    }

    /// <summary>
    /// Builds a host for a run configuration and validates it (the <see cref="RunConfigValidator"/> runs through
    /// <c>ValidateOnStart</c>). Throws <see cref="ConfigurationException"/> listing every problem.
    /// </summary>
    public static RetainHost ForRun(BoundRunConfig bound)
    {
        var host = Build(bound.PluginPaths, services => services.AddRetainRun(bound));
        try
        {
            host.Services.GetRequiredService<IStartupValidator>().Validate();
            return host;
        }
        catch (OptionsValidationException)
        {
            var errors = host.Services.GetRequiredService<RunConfigValidator>().Check(bound.Config);
            host.Dispose();
            throw new ConfigurationException(errors);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _provider.Dispose();
}
