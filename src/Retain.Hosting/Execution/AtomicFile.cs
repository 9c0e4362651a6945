namespace Retain.Hosting.Execution;

/// <summary>
/// File writes that readers and concurrent writers of a shared sweep folder never see half done: the text goes to a
/// temporary file unique to this process and write, then is renamed over the target (rename is atomic on local
/// filesystems, NFS and Lustre; the last writer wins, which is right for files whose content every writer agrees on).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temporary, text);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
