using Retain.Data;
using Retain.Evaluation;
using Retain.Testing;

namespace Retain.Benchmarks.Tests.Fakes;

/// <summary>Data locators and contexts for tests: the shared data folder, or a temporary folder of fixtures.</summary>
internal sealed class FolderLocator(params string[] roots) : IDataLocator
{
    public string Resolve(string path) => TryResolve(path)
        ?? throw new DataException($"Data file '{path}' not found; looked for: {string.Join(", ", roots.Select(r => Path.Combine(r, path)))}");

    public string? TryResolve(string path)
    {
        foreach (var root in roots)
        {
            var full = Path.Combine(root, path);
            if (File.Exists(full) || Directory.Exists(full)) return full;
        }
        return null;
    }
}

internal sealed class ListRecorder : IItemRecorder
{
    public List<ItemRecord> Items { get; } = [];
    public void Add(ItemRecord record) { lock (Items) Items.Add(record); }
}

internal static class TestData
{
    /// <summary>A context over the shared data folder.</summary>
    public static BenchmarkContext Shared(ListRecorder? records = null, int? limit = null) => new()
    {
        Data = new FolderLocator(TestPaths.SharedFile("data")),
        Records = records ?? new ListRecorder(),
        Limit = limit,
    };

    /// <summary>A context over a folder of fixture files.</summary>
    public static BenchmarkContext Folder(string root, ListRecorder? records = null, int? limit = null) => new()
    {
        Data = new FolderLocator(root),
        Records = records ?? new ListRecorder(),
        Limit = limit,
    };

    /// <summary>The fixtures folder copied beside the test assembly.</summary>
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");
}

/// <summary>A temporary directory deleted when disposed.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("retain-bench-test-").FullName;
    public string File(string name, string content)
    {
        var full = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { } }
}
