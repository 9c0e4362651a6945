namespace Retain.Hosting.Plugins;

/// <summary>A folder to search for plugins.</summary>
/// <param name="Path">The folder.</param>
/// <param name="Origin">Where it was named (for messages), e.g. <c>RETAIN_PLUGIN_PATH</c>.</param>
/// <param name="MustExist">False for the default folder, which may legitimately be absent.</param>
public sealed record PluginSearchPath(string Path, string Origin, bool MustExist = true);

/// <summary>A folder that looks like a plugin.</summary>
internal sealed record PluginCandidate(string Directory, string AssemblyPath, PluginManifest? Manifest, string Origin)
{
    /// <summary>The plugin's name: the manifest's, else the folder's.</summary>
    public string Name => Manifest?.Name is { Length: > 0 } n ? n : System.IO.Path.GetFileName(Directory);
}

/// <summary>
/// Finds plugin folders. A search path is itself a plugin when it holds <c>retain-plugin.json</c> or
/// <c>&lt;folder&gt;.dll</c>; otherwise each of its subfolders is expected to be one.
/// </summary>
internal static class PluginDiscovery
{
    public static IEnumerable<PluginCandidate> Find(PluginSearchPath searchPath, List<PluginFailure> failures)
    {
        var root = Path.GetFullPath(searchPath.Path);
        if (!Directory.Exists(root))
        {
            if (searchPath.MustExist) failures.Add(new PluginFailure(root, $"plugin folder does not exist (named by {searchPath.Origin})."));
            yield break;
        }
        if (LooksLikePlugin(root))
        {
            if (Candidate(root, searchPath.Origin, failures) is { } self) yield return self;
            yield break;
        }
        foreach (var directory in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            if (Candidate(directory, searchPath.Origin, failures) is { } candidate) yield return candidate;
        }
    }

    private static bool LooksLikePlugin(string directory)
        => File.Exists(Path.Combine(directory, PluginManifest.FileName))
           || File.Exists(Path.Combine(directory, Path.GetFileName(directory) + ".dll"));

    private static PluginCandidate? Candidate(string directory, string origin, List<PluginFailure> failures)
    {
        var manifestPath = Path.Combine(directory, PluginManifest.FileName);
        PluginManifest? manifest = null;
        if (File.Exists(manifestPath))
        {
            try
            {
                manifest = PluginManifest.Read(manifestPath);
            }
            catch (PluginLoadException e)
            {
                failures.Add(new PluginFailure(directory, e.Message));
                return null;
            }
        }
        var assemblyName = manifest?.Assembly is { Length: > 0 } a ? a : Path.GetFileName(directory) + ".dll";
        var assemblyPath = Path.GetFullPath(Path.Combine(directory, assemblyName));
        if (!IsInside(directory, assemblyPath))
        {
            failures.Add(new PluginFailure(directory, $"{PluginManifest.FileName} names the assembly '{assemblyName}', which is outside the plugin folder; a plugin loads only from its own folder."));
            return null;
        }
        if (!File.Exists(assemblyPath))
        {
            failures.Add(new PluginFailure(directory, manifest is null
                ? $"no {PluginManifest.FileName} and no {assemblyName}: not a plugin folder (build plugins with the Retain plugin SDK, which writes both)."
                : $"{PluginManifest.FileName} names {assemblyName}, which is missing."));
            return null;
        }
        if (File.ResolveLinkTarget(assemblyPath, returnFinalTarget: true) is { } target && !IsInside(directory, target.FullName))
        {
            failures.Add(new PluginFailure(directory, $"{assemblyName} is a link to {target.FullName}, outside the plugin folder; a plugin loads only from its own folder."));
            return null;
        }
        return new PluginCandidate(directory, assemblyPath, manifest, origin);
    }

    private static bool IsInside(string directory, string path)
    {
        var relative = Path.GetRelativePath(directory, path);
        return !Path.IsPathRooted(relative) && relative != ".." && !relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
