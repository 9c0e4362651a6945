namespace Retain.Kernel.Formats;

/// <summary>
/// Files that may be symbolic links, as a hub-cache snapshot's are (links into <c>blobs/</c>): their real size, and
/// whether the target is there. <see cref="FileInfo.Length"/> of a link is the link's own length, and
/// <see cref="File.Exists"/> is true for a link whose target is gone.
/// </summary>
public static class FileLinks
{
    /// <summary>The file a path finally names (following links), or null when it or a link's target does not exist.</summary>
    public static FileInfo? Target(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return null;
        if (info.LinkTarget is null) return info;
        return info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target && target.Exists ? target : null;
    }

    /// <summary>Why <paramref name="path"/> cannot be read: missing, or a link to a missing file.</summary>
    public static string Problem(string path) => new FileInfo(path).LinkTarget is { } link
        ? $"it links to {link}, which is missing (an interrupted download?)"
        : "it does not exist";
}
