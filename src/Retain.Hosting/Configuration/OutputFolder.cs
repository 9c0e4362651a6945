namespace Retain.Hosting.Configuration;

/// <summary>
/// Checks, before any work, that a sweep can be written where the configuration says: every existing part of
/// <c>&lt;output&gt;/&lt;name&gt;</c> is a folder (not a file, not a device such as <c>/dev/null</c>), and the deepest
/// existing folder accepts a new file (probed with a file that is removed at once).
/// </summary>
public static class OutputFolder
{
    /// <summary>Why the sweep folder cannot be written, or null when it can.</summary>
    public static string? Problem(string sweepDirectory)
    {
        var path = Path.GetFullPath(sweepDirectory);
        var existing = path;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing) || IsOtherNode(existing))
            {
                return existing == path
                    ? $"{path} exists and is not a folder; the sweep needs a folder there."
                    : $"{existing} is not a folder (it is a file or device), so {path} cannot be created inside it.";
            }
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return $"no part of {path} exists.";
            existing = parent;
        }
        var probe = Path.Combine(existing, $".retain-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write in {existing}: {e.Message}";
        }
    }

    /// <summary>A path that exists but is neither a regular file nor a folder (a device, a socket, a broken link).</summary>
    private static bool IsOtherNode(string path)
    {
        try
        {
            return (File.GetAttributes(path) & FileAttributes.Directory) == 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
