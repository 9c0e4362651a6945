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
    public const string DefaultRef = "main";

    /// <summary>The folder to load for <paramref name="source"/> (a path, optionally ending in <c>@revision</c>).</summary>
    /// <exception cref="ModelFormatException">The folder does not exist, or the revision or snapshot cannot be found.</exception>
    public static string Resolve(string source)
    {
        string full = Path.GetFullPath(source);
        string? revision = null;
        if (!Directory.Exists(full))
        {
            int at = full.LastIndexOf('@');
            if (at > 0 && at > full.LastIndexOf(Path.DirectorySeparatorChar))
            {
                revision = full[(at + 1)..];
                full = full[..at];
            }
            if (!Directory.Exists(full)) throw new ModelFormatException($"directory not found: {full}");
        }
        full = Path.TrimEndingDirectorySeparator(full);
        if (IsHubCacheFolder(full)) return Snapshot(full, revision);
        if (revision is not null)
        {
            throw new ModelFormatException($"{full}@{revision}: a revision selects a snapshot of a hub-cache folder (models--org--name with refs/ and snapshots/); {full} is a plain model folder.");
        }
        return full;
    }

    /// <summary>Whether <paramref name="directory"/> is a hub-cache repository folder (it has <c>snapshots/</c> and no config.json of its own).</summary>
    public static bool IsHubCacheFolder(string directory) =>
        Directory.Exists(Path.Combine(directory, "snapshots")) && !File.Exists(Path.Combine(directory, "config.json"));

    private static string Snapshot(string repository, string? revision)
    {
        string snapshots = Path.Combine(repository, "snapshots");
        var available = new DirectoryInfo(snapshots).GetDirectories();
        string Listing()
        {
            var refs = Directory.Exists(Path.Combine(repository, "refs"))
                ? Directory.GetFiles(Path.Combine(repository, "refs"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(repository, "refs"), f).Replace('\\', '/'))
                : [];
            return $"refs: {(refs.Any() ? string.Join(", ", refs.Order(StringComparer.Ordinal)) : "none")}; snapshots: " +
                (available.Length > 0 ? string.Join(", ", available.Select(d => d.Name).Order(StringComparer.Ordinal)) : "none");
        }

        string? commit = null;
        string? via = null;
        string requested = revision ?? DefaultRef;
        if (requested.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ModelFormatException($"{repository}: revision '{requested}' is not a ref name or commit.");
        }
        string refFile = Path.Combine(repository, "refs", requested);
        if (File.Exists(refFile))
        {
            commit = File.ReadAllText(refFile).Trim();
            via = $"refs/{requested}";
            if (commit.Length == 0 || commit.Contains('/') || commit.Contains('\\') || commit.Contains(".."))
            {
                throw new ModelFormatException($"{refFile}: does not hold a commit id (found '{commit}').");
            }
        }
        else if (revision is not null)
        {
            commit = revision;
        }

        if (commit is not null)
        {
            string chosen = Path.Combine(snapshots, commit);
            if (!Directory.Exists(chosen))
            {
                string what = via is null ? $"revision '{revision}' is neither a ref nor a snapshot" : $"{via} names commit {commit}, but snapshots/{commit} does not exist (an interrupted download?)";
                throw new ModelFormatException($"{repository}: {what}; {Listing()}.");
            }
            return RequireConfig(chosen);
        }
        if (available.Length == 0) throw new ModelFormatException($"{repository}: a hub-cache folder with no snapshot in snapshots/.");
        return RequireConfig(available.OrderByDescending(d => d.LastWriteTimeUtc).ThenBy(d => d.Name, StringComparer.Ordinal).First().FullName);
    }

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
