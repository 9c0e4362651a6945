using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace Retain.Hosting.Plugins;

/// <summary>
/// Names the plugin behind an exception nobody caught (a plugin's own background thread that throws), so the host can
/// say which plugin failed instead of dying with a runtime trace. Keys are weak: unloading a plugin is not hindered.
/// </summary>
public static class PluginFaults
{
    private static readonly ConditionalWeakTable<AssemblyLoadContext, PluginInfo> Owners = new();

    internal static void Register(AssemblyLoadContext context, PluginInfo plugin) => Owners.AddOrUpdate(context, plugin);

    /// <summary>The plugin whose code threw <paramref name="exception"/> (the innermost plugin frame), or null.</summary>
    public static PluginInfo? Owner(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            foreach (var frame in new StackTrace(e, fNeedFileInfo: false).GetFrames())
            {
                var assembly = frame.GetMethod()?.DeclaringType?.Assembly;
                if (assembly is not null && AssemblyLoadContext.GetLoadContext(assembly) is { } context && Owners.TryGetValue(context, out var plugin))
                {
                    return plugin;
                }
            }
        }
        return null;
    }

    /// <summary>One sentence for an exception that reached the top of a thread.</summary>
    public static string Describe(Exception exception)
    {
        var inner = exception is System.Reflection.TargetInvocationException { InnerException: { } ie } ? ie : exception;
        return Owner(exception) is { } plugin
            ? $"plugin '{plugin.Name}' ({plugin.AssemblyPath}) failed on a thread of its own: {inner.GetType().Name}: {inner.Message}. Plugins run inside the retain process, so this stops it; fix or remove the plugin."
            : $"unexpected {inner.GetType().Name} on a background thread: {inner.Message} (set RETAIN_DEBUG=1 for details)";
    }
}
