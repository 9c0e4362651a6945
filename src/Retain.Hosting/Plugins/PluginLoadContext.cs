using System.Reflection;
using System.Runtime.Loader;

namespace Retain.Hosting.Plugins;

/// <summary>
/// The load context of one plugin: contract assemblies come from the host (one type identity for
/// <c>IRetainPlugin</c>, <c>IServiceCollection</c>, ...); everything else, managed or native, is resolved from the
/// plugin's folder through its <c>.deps.json</c>. Two plugins can therefore carry different versions of the same
/// private dependency. Collectible, so a catalog can be unloaded.
/// </summary>
internal sealed class PluginLoadContext(string mainAssemblyPath, IReadOnlySet<string> sharedAssemblies)
    : AssemblyLoadContext(Path.GetFileNameWithoutExtension(mainAssemblyPath), isCollectible: true)
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && sharedAssemblies.Contains(name))
        {
            // Explicitly from the default context (not null): hosts with custom default contexts still share types.
            return Default.LoadFromAssemblyName(assemblyName);
        }
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
