using Microsoft.Extensions.Options;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Host-side registrations.</summary>
public static class RetainHostingServiceCollectionExtensions
{
    /// <summary>
    /// Discovers and loads plugins and registers their components. Folders are searched in this order, and when the
    /// same plugin is in two of them the first wins: <paramref name="pluginPaths"/> (the command's <c>--plugins</c>,
    /// then the configuration's <c>plugins.paths</c>), <c>RETAIN_PLUGIN_PATH</c>, the user's plugin folder
    /// (<see cref="RetainEnvironment.UserPluginsFolder"/>), and the <c>plugins/</c> folder beside the executable.
    /// </summary>
    public static PluginCatalog AddRetainPlugins(this IServiceCollection services, IEnumerable<PluginSearchPath> pluginPaths)
    {
        ArgumentNullException.ThrowIfNull(services);
        return PluginLoader.Load(PluginSearchOrder(pluginPaths), services, registrationTimeout: RegistrationTimeout());
    }

    /// <summary>The folders <see cref="AddRetainPlugins"/> searches, in order of precedence.</summary>
    public static IReadOnlyList<PluginSearchPath> PluginSearchOrder(IEnumerable<PluginSearchPath> pluginPaths)
    {
        var paths = pluginPaths.ToList();
        paths.AddRange(RetainEnvironment.PathList(RetainEnvironment.PluginPath).Select(p => new PluginSearchPath(p, RetainEnvironment.PluginPath)));
        paths.Add(new PluginSearchPath(RetainEnvironment.UserPluginsFolder, "the user plugin folder", MustExist: false));
        paths.Add(new PluginSearchPath(Path.Combine(AppContext.BaseDirectory, "plugins"), "the plugins folder beside retain", MustExist: false));
        return paths;
    }

    private static TimeSpan RegistrationTimeout()
    {
        var text = Environment.GetEnvironmentVariable(RetainEnvironment.PluginTimeout);
        if (string.IsNullOrWhiteSpace(text)) return PluginLoader.DefaultRegistrationTimeout;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86400)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        throw new ConfigurationException([new ConfigurationError(RetainEnvironment.PluginTimeout, "", $"'{text}' is not a number of seconds between 0 and 86400.")]);
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
