namespace Retain.Hosting.Plugins;

/// <summary>A folder to search for plugins.</summary>
/// <param name="Path">The folder.</param>
/// <param name="Origin">Where it was named (for messages), e.g. <c>RETAIN_PLUGIN_PATH</c>.</param>
/// <param name="MustExist">False for the default folder, which may legitimately be absent.</param>
public sealed record PluginSearchPath(string Path, string Origin, bool MustExist = true);

/// <summary>A folder that looks like a plugin.</summary>
internal sealed record PluginCandidate(string Directory, string AssemblyPath, PluginManifest? Manifest);

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
            if (Candidate(root, failures) is { } self) yield return self;
            yield break;
        }
        foreach (var directory in Directory.GetDirectories(root).OrderBy(d => d, StringComparer.Ordinal))
        {
            if (Candidate(directory, failures) is { } candidate) yield return candidate;
        }
    }

    private static bool LooksLikePlugin(string directory)
        => File.Exists(Path.Combine(directory, PluginManifest.FileName))
           || File.Exists(Path.Combine(directory, Path.GetFileName(directory) + ".dll"));

    private static PluginCandidate? Candidate(string directory, List<PluginFailure> failures)
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
        var assemblyPath = Path.Combine(directory, assemblyName);
        if (!File.Exists(assemblyPath))
        {
            failures.Add(new PluginFailure(directory, manifest is null
                ? $"no {PluginManifest.FileName} and no {assemblyName}: not a plugin folder (build plugins with the Retain plugin SDK, which writes both)."
                : $"{PluginManifest.FileName} names {assemblyName}, which is missing."));
            return null;
        }
        return new PluginCandidate(directory, assemblyPath, manifest);
    }
}
