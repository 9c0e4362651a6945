using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using IsolatedLoader = McMaster.NETCore.Plugins.PluginLoader;

namespace Retain.Hosting.Plugins;

/// <summary>
/// Discovers plugin folders, loads each into its own collectible load context (McMaster.NETCore.Plugins: the
/// plugin's <c>.deps.json</c> resolves its managed and native dependencies; <see cref="SharedAssemblies"/> come from
/// the host), calls its <see cref="IRetainPlugin"/> entry points and adds their registrations to the host's services.
/// A broken plugin is recorded as a failure (path and reason) and the others still load. The same plugin found in two
/// folders loads once, from the folder searched first, and the other copy is reported; two different plugins claiming
/// one component name lose that name (both are reported) so the outcome never depends on discovery order.
/// </summary>
public static class PluginLoader
{
    /// <summary>How long one plugin's entry points may take to register before the plugin is skipped.</summary>
    public static readonly TimeSpan DefaultRegistrationTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Loads every plugin found under <paramref name="searchPaths"/> into <paramref name="services"/>.</summary>
    /// <param name="searchPaths">Folders, in order of precedence; each is a plugin folder or a folder of plugin folders.</param>
    /// <param name="services">Receives the plugins' registrations.</param>
    /// <param name="configuration">Host configuration; each plugin gets its <c>Plugins:&lt;Name&gt;</c> section.</param>
    /// <param name="registrationTimeout">Limit for one plugin's <see cref="IRetainPlugin.ConfigureServices"/> calls.</param>
    public static PluginCatalog Load(IEnumerable<PluginSearchPath> searchPaths, IServiceCollection services, IConfiguration? configuration = null, TimeSpan? registrationTimeout = null)
    {
        configuration ??= new ConfigurationBuilder().Build();
        var timeout = registrationTimeout ?? DefaultRegistrationTimeout;
        var failures = new List<PluginFailure>();
        var loaded = new List<LoadedPlugin>();
        var seenFolders = new HashSet<string>(StringComparer.Ordinal);
        var searched = new List<string>();

        foreach (var searchPath in searchPaths)
        {
            var root = Path.GetFullPath(searchPath.Path);
            if (searched.Contains(root)) continue;
            searched.Add(root);
            foreach (var candidate in PluginDiscovery.Find(searchPath, failures))
            {
                if (!seenFolders.Add(candidate.Directory)) continue;
                if (loaded.FirstOrDefault(p => string.Equals(p.Info.Name, candidate.Name, StringComparison.OrdinalIgnoreCase)) is { } winner)
                {
                    failures.Add(new PluginFailure(candidate.Directory,
                        $"plugin '{candidate.Name}' is also in {winner.Info.Directory} (from {winner.Origin}), which is searched first and wins; this copy is ignored (remove it if it is stale)."));
                    continue;
                }
                var plugin = LoadOne(candidate, configuration, timeout, failures);
                if (plugin is not null) loaded.Add(plugin);
            }
        }

        var components = ResolveNameConflicts(loaded, failures);
        foreach (var plugin in loaded)
        {
            foreach (var descriptor in plugin.Services)
            {
                if (descriptor.ServiceType == typeof(ComponentDescriptor)) continue; // added below, conflicts removed
                services.Add(descriptor);
            }
        }
        foreach (var component in components)
        {
            services.AddSingleton(component.Descriptor);
            services.AddKeyedSingleton(new ComponentKey(component.Kind, component.Name), component.Descriptor);
            services.AddSingleton(component);
        }
        var catalog = new PluginCatalog(loaded.Select(p => p.Info).ToList(), components, failures, searched, loaded.Select(p => p.Loader).ToList());
        services.AddSingleton(catalog);
        return catalog;
    }

    private static LoadedPlugin? LoadOne(PluginCandidate candidate, IConfiguration configuration, TimeSpan timeout, List<PluginFailure> failures)
    {
        var loader = IsolatedLoader.CreateFromAssemblyFile(candidate.AssemblyPath, config =>
        {
            config.IsUnloadable = true;
            foreach (var shared in SharedAssemblies.Names) config.SharedAssemblies.Add(new AssemblyName(shared));
        });
        try
        {
            Assembly assembly;
            try
            {
                assembly = loader.LoadDefaultAssembly();
            }
            catch (BadImageFormatException)
            {
                throw new PluginLoadException($"{Path.GetFileName(candidate.AssemblyPath)} is not a valid .NET assembly (corrupt, truncated or native).");
            }

            VerifyDependencies(loader, assembly);
            var entryTypes = ExportedTypes(assembly)
                .Where(t => typeof(IRetainPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (entryTypes.Count == 0)
            {
                throw new PluginLoadException("no public class implements Retain.Plugins.IRetainPlugin, so nothing registers the plugin's components.");
            }

            var version = candidate.Manifest?.Version is { Length: > 0 } v ? v
                : assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                  ?? assembly.GetName().Version?.ToString() ?? "";
            var info = new PluginInfo(candidate.Name, version, candidate.Manifest?.Description ?? "", candidate.AssemblyPath);
            PluginFaults.Register(AssemblyLoadContext.GetLoadContext(assembly)!, info);
            IServiceCollection scratch;
            // An Environment.Exit inside the plugin's registration must not look like a finished command.
            using (Lifetime.UnfinishedWork.Begin($"registering the plugin '{candidate.Name}' ({candidate.AssemblyPath})"))
            {
                scratch = PluginRegistration.Run(info, entryTypes, configuration.GetSection($"Plugins:{candidate.Name}"), timeout);
            }
            return new LoadedPlugin(info, candidate.Origin, loader, scratch);
        }
        catch (PluginRegistrationTimeoutException e)
        {
            // Its thread is still running inside the plugin's code: the context cannot be unloaded, only abandoned.
            failures.Add(new PluginFailure(candidate.Directory, e.Message));
            return null;
        }
        catch (Exception e) when (e is PluginLoadException or FileLoadException or FileNotFoundException or IOException or ReflectionTypeLoadException or TypeLoadException)
        {
            failures.Add(new PluginFailure(candidate.Directory, e is PluginLoadException ? e.Message : DescribeLoadError(e)));
            loader.Dispose();
            return null;
        }
    }

    /// <summary>
    /// Loads the plugin's references (and theirs, for assemblies from the plugin folder) now, so a missing dependency
    /// is reported at discovery rather than at the first call that needs it.
    /// </summary>
    private static void VerifyDependencies(IsolatedLoader loader, Assembly main)
    {
        var context = AssemblyLoadContext.GetLoadContext(main);
        var pending = new Queue<Assembly>([main]);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || !seen.Add(reference.Name)) continue;
                Assembly loaded;
                try
                {
                    loaded = loader.LoadAssembly(reference);
                }
                catch (FileNotFoundException)
                {
                    throw new PluginLoadException($"a dependency could not be found: {reference.FullName} (needed by {assembly.GetName().Name}). The plugin folder must contain it (plugins are built with EnableDynamicLoading so their dependencies are copied beside them).");
                }
                if (AssemblyLoadContext.GetLoadContext(loaded) == context) pending.Enqueue(loaded);
            }
        }
    }

    private static Type[] ExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var first = e.LoaderExceptions.FirstOrDefault(x => x is not null);
            throw new PluginLoadException(first is null ? e.Message : DescribeLoadError(first), e);
        }
    }

    /// <summary>Turns the runtime's loader exceptions into a sentence naming the missing piece.</summary>
    internal static string DescribeLoadError(Exception e) => e switch
    {
        FileNotFoundException f when f.FileName is not null =>
            $"a dependency could not be found: {f.FileName}. The plugin folder must contain it (plugins are built with EnableDynamicLoading so their dependencies are copied beside them).",
        FileLoadException f => $"a dependency could not be loaded: {f.FileName ?? f.Message}",
        BadImageFormatException b => $"a dependency is not a valid .NET assembly: {b.FileName ?? b.Message}",
        TypeLoadException t => $"a type could not be loaded: {t.TypeName} ({t.Message})",
        _ => e.Message,
    };

    private static List<RegisteredComponent> ResolveNameConflicts(List<LoadedPlugin> plugins, List<PluginFailure> failures)
    {
        var all = plugins
            .SelectMany(p => p.Services
                .Where(d => d.ServiceType == typeof(ComponentDescriptor) && !d.IsKeyedService && d.ImplementationInstance is ComponentDescriptor)
                .Select(d => new RegisteredComponent((ComponentDescriptor)d.ImplementationInstance!, p.Info)))
            .ToList();
        var result = new List<RegisteredComponent>();
        foreach (var group in all.GroupBy(c => new ComponentKey(c.Kind, c.Name.ToLowerInvariant())))
        {
            var claimants = group.ToList();
            if (claimants.Select(c => c.Plugin.AssemblyPath).Distinct().Count() > 1)
            {
                var who = string.Join(" and ", claimants.Select(c => $"{c.Plugin.Name} ({c.Plugin.AssemblyPath})").Distinct());
                foreach (var claimant in claimants)
                {
                    failures.Add(new PluginFailure(claimant.Plugin.Directory,
                        $"{group.Key} is claimed by more than one plugin ({who}); it is unavailable until one is removed."));
                }
                continue;
            }
            if (claimants.Count > 1)
            {
                failures.Add(new PluginFailure(claimants[0].Plugin.Directory, $"{group.Key} is registered twice by the same plugin; the first registration is used."));
            }
            result.Add(claimants[0]);
        }
        return result;
    }

    private sealed record LoadedPlugin(PluginInfo Info, string Origin, IsolatedLoader Loader, IServiceCollection Services);
}
