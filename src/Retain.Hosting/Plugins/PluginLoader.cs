using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;

namespace Retain.Hosting.Plugins;

/// <summary>
/// Discovers plugin folders, loads each into its own <see cref="PluginLoadContext"/>, calls its
/// <see cref="IRetainPlugin"/> entry points and adds their registrations to the host's services. A broken plugin is
/// recorded as a failure (path and reason) and the others still load; two plugins claiming the same component name
/// lose that name (both are reported) so the outcome never depends on discovery order.
/// </summary>
public static class PluginLoader
{
    /// <summary>Loads every plugin found under <paramref name="searchPaths"/> into <paramref name="services"/>.</summary>
    /// <param name="searchPaths">Folders, in order; each is a plugin folder or a folder of plugin folders.</param>
    /// <param name="services">Receives the plugins' registrations.</param>
    /// <param name="configuration">Host configuration; each plugin gets its <c>Plugins:&lt;Name&gt;</c> section.</param>
    public static PluginCatalog Load(IEnumerable<PluginSearchPath> searchPaths, IServiceCollection services, IConfiguration? configuration = null)
    {
        configuration ??= new ConfigurationBuilder().Build();
        var failures = new List<PluginFailure>();
        var loaded = new List<LoadedPlugin>();
        var contexts = new List<PluginLoadContext>();
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
                var plugin = LoadOne(candidate, configuration, failures);
                if (plugin is null) continue;
                loaded.Add(plugin);
                contexts.Add(plugin.Context);
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
        var catalog = new PluginCatalog(loaded.Select(p => p.Info).ToList(), components, failures, searched, contexts);
        services.AddSingleton(catalog);
        return catalog;
    }

    private static LoadedPlugin? LoadOne(PluginCandidate candidate, IConfiguration configuration, List<PluginFailure> failures)
    {
        var context = new PluginLoadContext(candidate.AssemblyPath, SharedAssemblies.Names);
        try
        {
            Assembly assembly;
            try
            {
                assembly = context.LoadFromAssemblyPath(candidate.AssemblyPath);
            }
            catch (BadImageFormatException)
            {
                throw new PluginLoadException($"{Path.GetFileName(candidate.AssemblyPath)} is not a valid .NET assembly (corrupt, truncated or native).");
            }

            VerifyDependencies(context, assembly);
            var entryTypes = ExportedTypes(assembly)
                .Where(t => typeof(IRetainPlugin).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
                .ToList();
            if (entryTypes.Count == 0)
            {
                throw new PluginLoadException("no public class implements Retain.Plugins.IRetainPlugin, so nothing registers the plugin's components.");
            }

            var name = candidate.Manifest?.Name is { Length: > 0 } n ? n : Path.GetFileName(candidate.Directory);
            var scratch = new ServiceCollection();
            foreach (var type in entryTypes)
            {
                IRetainPlugin entry;
                try
                {
                    using var registering = Lifetime.UnfinishedWork.Begin($"registering the plugin '{name}' ({candidate.AssemblyPath})");
                    entry = (IRetainPlugin)Activator.CreateInstance(type)!;
                    entry.ConfigureServices(scratch, configuration.GetSection($"Plugins:{name}"));
                }
                catch (Exception e)
                {
                    var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
                    throw new PluginLoadException($"entry point {type.FullName} failed: {DescribeLoadError(inner)}", inner);
                }
            }

            var version = candidate.Manifest?.Version is { Length: > 0 } v ? v
                : assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
                  ?? assembly.GetName().Version?.ToString() ?? "";
            var info = new PluginInfo(name, version, candidate.Manifest?.Description ?? "", candidate.AssemblyPath);
            return new LoadedPlugin(info, context, scratch);
        }
        catch (Exception e) when (e is PluginLoadException or FileLoadException or FileNotFoundException or IOException or ReflectionTypeLoadException or TypeLoadException)
        {
            failures.Add(new PluginFailure(candidate.Directory, e is PluginLoadException ? e.Message : DescribeLoadError(e)));
            context.Unload();
            return null;
        }
    }

    /// <summary>
    /// Loads the plugin's references (and theirs, for assemblies from the plugin folder) now, so a missing dependency
    /// is reported at discovery rather than at the first call that needs it.
    /// </summary>
    private static void VerifyDependencies(PluginLoadContext context, Assembly main)
    {
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
                    loaded = context.LoadFromAssemblyName(reference);
                }
                catch (FileNotFoundException)
                {
                    throw new PluginLoadException($"a dependency could not be found: {reference.FullName} (needed by {assembly.GetName().Name}). The plugin folder must contain it (plugins are built with EnableDynamicLoading so their dependencies are copied beside them).");
                }
                if (System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(loaded) == context) pending.Enqueue(loaded);
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
    private static string DescribeLoadError(Exception e) => e switch
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
                var who = string.Join(" and ", claimants.Select(c => c.Plugin.AssemblyPath).Distinct());
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

    private sealed record LoadedPlugin(PluginInfo Info, PluginLoadContext Context, ServiceCollection Services);
}
