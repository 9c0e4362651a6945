using System.Runtime.Loader;
using Retain.Plugins;
using IsolatedLoader = McMaster.NETCore.Plugins.PluginLoader;

namespace Retain.Hosting.Plugins;

/// <summary>A plugin that loaded.</summary>
/// <param name="Name">Its name (manifest, else folder name).</param>
/// <param name="Version">Manifest or assembly version.</param>
/// <param name="Description">One sentence.</param>
/// <param name="AssemblyPath">The main assembly.</param>
public sealed record PluginInfo(string Name, string Version, string Description, string AssemblyPath)
{
    /// <summary>The plugin's folder.</summary>
    public string Directory => Path.GetDirectoryName(AssemblyPath)!;
}

/// <summary>A plugin, or one of its components, that could not be used.</summary>
/// <param name="Path">The plugin's folder or assembly.</param>
/// <param name="Reason">What went wrong, in words a user can act on.</param>
public sealed record PluginFailure(string Path, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>A component with the plugin that registered it.</summary>
public sealed record RegisteredComponent(ComponentDescriptor Descriptor, PluginInfo Plugin)
{
    /// <summary>The component's name.</summary>
    public string Name => Descriptor.Name;

    /// <summary>Its kind.</summary>
    public PluginKind Kind => Descriptor.Kind;
}

/// <summary>What plugin discovery found: loaded plugins, their components and the failures.</summary>
public sealed class PluginCatalog
{
    private readonly List<IsolatedLoader> _loaders;

    internal PluginCatalog(IReadOnlyList<PluginInfo> plugins, IReadOnlyList<RegisteredComponent> components,
        IReadOnlyList<PluginFailure> failures, IReadOnlyList<string> searchPaths, List<IsolatedLoader> loaders)
    {
        Plugins = plugins;
        Components = components;
        Failures = failures;
        SearchPaths = searchPaths;
        _loaders = loaders;
    }

    /// <summary>Plugins that loaded.</summary>
    public IReadOnlyList<PluginInfo> Plugins { get; }

    /// <summary>Usable components, by plugin then registration order.</summary>
    public IReadOnlyList<RegisteredComponent> Components { get; }

    /// <summary>Plugins or components that could not be used, with reasons.</summary>
    public IReadOnlyList<PluginFailure> Failures { get; }

    /// <summary>The folders searched, in order.</summary>
    public IReadOnlyList<string> SearchPaths { get; }

    /// <summary>The component of this kind and name, or null.</summary>
    public RegisteredComponent? Find(PluginKind kind, string name)
        => Components.FirstOrDefault(c => c.Kind == kind && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Components of one kind, sorted by name.</summary>
    public IReadOnlyList<RegisteredComponent> OfKind(PluginKind kind)
        => Components.Where(c => c.Kind == kind).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Starts unloading every plugin's load context. The memory is reclaimed once nothing references the plugins'
    /// types any more (dispose service providers built from the catalog first).
    /// </summary>
    public void Unload()
    {
        foreach (var loader in _loaders) loader.Dispose();
        _loaders.Clear();
    }

    /// <summary>Weak references to the load contexts, so tests can observe unloading.</summary>
    internal IReadOnlyList<WeakReference> LoadContextReferences()
        => _loaders.Select(l => new WeakReference(AssemblyLoadContext.GetLoadContext(l.LoadDefaultAssembly()))).ToList();
}
