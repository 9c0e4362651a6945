namespace Retain.Hosting.Runs;

/// <summary>
/// Removes what interrupted atomic writes leave in a run folder: every file or folder whose name ends in
/// <c>.tmp</c> (<c>last.tmp/</c>, <c>.best.&lt;pid&gt;.&lt;guid&gt;.tmp/</c>, <c>result.json.tmp</c>, tensor files being
/// written). Complete copies are never named so (<c>last.old/</c>, the copy a swap moved aside, is kept: it may be the
/// only complete state). Only called for a run about to start, whose folder no other process writes.
/// </summary>
public static class LeftoverTemporaries
{
    /// <summary>Deletes the leftovers under <paramref name="runDirectory"/>; returns their paths relative to it.</summary>
    public static IReadOnlyList<string> Clean(string runDirectory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(runDirectory)) return removed;
        var pending = new Stack<string>([runDirectory]);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
            {
                bool isDirectory = Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint);
                if (entry.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    if (isDirectory) Directory.Delete(entry, recursive: true);
                    else File.Delete(entry);
                    removed.Add(Path.GetRelativePath(runDirectory, entry));
                }
                else if (isDirectory)
                {
                    pending.Push(entry);
                }
            }
        }
        return removed;
    }
}
