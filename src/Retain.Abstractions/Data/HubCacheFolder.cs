namespace Retain.Data;

/// <summary>
/// A Hugging Face hub-cache repository folder (<c>models--org--name</c>, <c>datasets--org--name</c>: <c>refs/</c> and
/// <c>snapshots/&lt;commit&gt;/</c>) named as a path, optionally ending in <c>@revision</c>, resolved as
/// <c>huggingface_hub</c> does: a revision is a ref name (<c>refs/&lt;name&gt;</c> holds the commit) or a snapshot's
/// commit; without one, the snapshot <c>refs/main</c> names, else the most recently written snapshot. Models and
/// datasets both resolve through here, each with its own test of what a repository folder is.
/// </summary>
public static class HubCacheFolder
{
    /// <summary>The ref used when no revision is given.</summary>
    public const string DefaultRef = "main";

    /// <summary>
    /// Splits <c>PATH@REVISION</c> into the folder and the revision when <paramref name="path"/> is not itself an
    /// existing folder: the revision follows the last <c>@</c> whose prefix is an existing folder (a ref name may hold
    /// slashes, as <c>pr/1</c>), else the last <c>@</c> of the last path segment.
    /// </summary>
    public static (string Folder, string? Revision) SplitRevision(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) return (Path.TrimEndingDirectorySeparator(full), null);
        for (int at = full.LastIndexOf('@'); at > 0; at = full.LastIndexOf('@', at - 1))
        {
            if (Directory.Exists(full[..at])) return (Path.TrimEndingDirectorySeparator(full[..at]), full[(at + 1)..]);
        }
        int last = full.LastIndexOf('@');
        if (last > 0 && last > full.LastIndexOf(Path.DirectorySeparatorChar)) return (Path.TrimEndingDirectorySeparator(full[..last]), full[(last + 1)..]);
        return (Path.TrimEndingDirectorySeparator(full), null);
    }

    /// <summary>The snapshot folder of <paramref name="repository"/> for <paramref name="revision"/> (null: the default).</summary>
    /// <exception cref="InvalidDataException">The revision is malformed or unknown, a ref names a missing snapshot, or there is none.</exception>
    public static string Snapshot(string repository, string? revision)
    {
        string snapshots = Path.Combine(repository, "snapshots");
        var available = new DirectoryInfo(snapshots).GetDirectories();
        string requested = revision ?? DefaultRef;
        if (requested.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new InvalidDataException($"{repository}: revision '{requested}' is not a ref name or commit.");
        }
        string? commit = null;
        string? via = null;
        string refFile = Path.Combine(repository, "refs", requested);
        if (File.Exists(refFile))
        {
            commit = File.ReadAllText(refFile).Trim();
            via = $"refs/{requested}";
            if (commit.Length == 0 || commit.Contains('/') || commit.Contains('\\') || commit.Contains(".."))
            {
                throw new InvalidDataException($"{refFile}: does not hold a commit id (found '{commit}').");
            }
        }
        else if (revision is not null)
        {
            commit = revision;
        }

        if (commit is not null)
        {
            string chosen = Path.Combine(snapshots, commit);
            if (Directory.Exists(chosen)) return chosen;
            string what = via is null ? $"revision '{revision}' is neither a ref nor a snapshot" : $"{via} names commit {commit}, but snapshots/{commit} does not exist (an interrupted download?)";
            throw new InvalidDataException($"{repository}: {what}; {Listing(repository, available)}.");
        }
        if (available.Length == 0) throw new InvalidDataException($"{repository}: a hub-cache folder with no snapshot in snapshots/.");
        return available.OrderByDescending(d => d.LastWriteTimeUtc).ThenBy(d => d.Name, StringComparer.Ordinal).First().FullName;
    }

    private static string Listing(string repository, DirectoryInfo[] available)
    {
        string refsFolder = Path.Combine(repository, "refs");
        var refs = Directory.Exists(refsFolder)
            ? Directory.GetFiles(refsFolder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(refsFolder, f).Replace('\\', '/'))
            : [];
        return $"refs: {(refs.Any() ? string.Join(", ", refs.Order(StringComparer.Ordinal)) : "none")}; snapshots: " +
            (available.Length > 0 ? string.Join(", ", available.Select(d => d.Name).Order(StringComparer.Ordinal)) : "none");
    }
}
