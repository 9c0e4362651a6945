namespace Retain.Kernel.Tests.Tokenization;

/// <summary>A throw-away model directory for configuration tests.</summary>
internal sealed class TempModelDirectory : IDisposable
{
    public TempModelDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "retain-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content)
    {
        var file = System.IO.Path.Combine(Path, name);
        File.WriteAllText(file, content);
        return file;
    }

    public string Copy(string source, string? name = null)
    {
        var file = System.IO.Path.Combine(Path, name ?? System.IO.Path.GetFileName(source));
        File.Copy(source, file);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder does no harm.
        }
    }
}
