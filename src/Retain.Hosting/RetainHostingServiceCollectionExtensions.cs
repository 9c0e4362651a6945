using Microsoft.Extensions.Options;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Host-side registrations.</summary>
public static class RetainHostingServiceCollectionExtensions
{
    /// <summary>
    /// Discovers and loads plugins from <paramref name="pluginPaths"/>, then <c>RETAIN_PLUGIN_PATH</c>, then the
    /// <c>plugins/</c> folder beside the executable, and registers their components.
    /// </summary>
    public static PluginCatalog AddRetainPlugins(this IServiceCollection services, IEnumerable<PluginSearchPath> pluginPaths)
    {
        ArgumentNullException.ThrowIfNull(services);
        var paths = pluginPaths.ToList();
        paths.AddRange(RetainEnvironment.PathList(RetainEnvironment.PluginPath).Select(p => new PluginSearchPath(p, RetainEnvironment.PluginPath)));
        paths.Add(new PluginSearchPath(Path.Combine(AppContext.BaseDirectory, "plugins"), "default plugins folder", MustExist: false));
        return PluginLoader.Load(paths, services);
    }

    /// <summary>Registers a bound run configuration as options validated at start.</summary>
    public static IServiceCollection AddRetainRun(this IServiceCollection services, BoundRunConfig bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        services.AddSingleton(bound);
        services.AddSingleton<RunConfigValidator>();
        services.AddSingleton<IValidateOptions<RunConfig>>(sp => sp.GetRequiredService<RunConfigValidator>());
        services.AddSingleton<IOptionsFactory<RunConfig>, BoundRunConfigFactory>();
        services.AddOptions<RunConfig>().ValidateOnStart();
        return services;
    }

    /// <summary>Makes the options instance the object bound from the file (so validation sees exactly what runs).</summary>
    private sealed class BoundRunConfigFactory(
        BoundRunConfig bound,
        IEnumerable<IConfigureOptions<RunConfig>> setups,
        IEnumerable<IPostConfigureOptions<RunConfig>> postConfigures,
        IEnumerable<IValidateOptions<RunConfig>> validations)
        : OptionsFactory<RunConfig>(setups, postConfigures, validations)
    {
        protected override RunConfig CreateInstance(string name) => bound.Config;
    }
}
