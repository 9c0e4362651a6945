using Retain.Data;

namespace Retain.Kernel.Models;

/// <summary>
/// Turns what a user names as a model — a plain Hugging Face folder, or a hub-cache folder
/// (<c>models--org--name</c> with <c>refs/</c> and <c>snapshots/&lt;revision&gt;/</c>), optionally with
/// <c>@revision</c> — into the folder whose files are loaded. A hub-cache folder resolves as <c>huggingface_hub</c>
/// does: a revision is a ref name (<c>refs/&lt;name&gt;</c> holds the commit) or a snapshot's commit; without one,
/// the snapshot <c>refs/main</c> names, else the most recently written snapshot.
/// </summary>
public static class ModelSource
{
    /// <summary>The ref used when no revision is given.</summary>
    public const string DefaultRef = HubCacheFolder.DefaultRef;

    /// <summary>The folder to load for <paramref name="source"/> (a path, optionally ending in <c>@revision</c>).</summary>
    /// <exception cref="ModelFormatException">The folder does not exist, or the revision or snapshot cannot be found.</exception>
    public static string Resolve(string source)
    {
        var (full, revision) = HubCacheFolder.SplitRevision(source);
        if (!Directory.Exists(full)) throw new ModelFormatException($"directory not found: {full}");
        if (IsHubCacheFolder(full))
        {
            try
            {
                return RequireConfig(HubCacheFolder.Snapshot(full, revision));
            }
            catch (InvalidDataException e)
            {
                throw new ModelFormatException(e.Message, e);
            }
        }
        if (revision is not null)
        {
            throw new ModelFormatException($"{full}@{revision}: a revision selects a snapshot of a hub-cache folder (models--org--name with refs/ and snapshots/); {full} is a plain model folder.");
        }
        return full;
    }

    /// <summary>Whether <paramref name="directory"/> is a hub-cache repository folder (it has <c>snapshots/</c> and no config.json of its own).</summary>
    public static bool IsHubCacheFolder(string directory) =>
        Directory.Exists(Path.Combine(directory, "snapshots")) && !File.Exists(Path.Combine(directory, "config.json"));

    private static string RequireConfig(string snapshot)
    {
        string config = Path.Combine(snapshot, "config.json");
        if (Formats.FileLinks.Target(config) is null)
        {
            throw new ModelFormatException($"{snapshot}: the snapshot is not a complete model: config.json cannot be read: {Formats.FileLinks.Problem(config)}.");
        }
        return snapshot;
    }
}
