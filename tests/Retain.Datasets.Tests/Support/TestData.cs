using Retain.Data;
using Retain.Testing;

namespace Retain.Datasets.Tests.Support;

/// <summary>Resolves data paths against the test fixtures folder, then the shared data folder.</summary>
internal sealed class TestLocator : IDataLocator
{
    private readonly string[] _roots;

    public TestLocator(params string[] roots) => _roots = roots;

    /// <summary>Fixtures first, then ../shared/data.</summary>
    public static TestLocator Default { get; } = new(TestData.FixturesDir, Path.Combine(TestPaths.Shared, "data"));

    public string Resolve(string path) => TryResolve(path)
        ?? throw new DataException($"'{path}' not found; tried {string.Join(", ", _roots.Select(r => Path.Combine(r, path)))}.");

    public string? TryResolve(string path)
    {
        if (Path.IsPathRooted(path)) return File.Exists(path) || Directory.Exists(path) ? path : null;
        return _roots.Select(r => Path.Combine(r, path)).FirstOrDefault(p => File.Exists(p) || Directory.Exists(p));
    }
}

/// <summary>Paths and contexts the dataset tests share.</summary>
internal static class TestData
{
    /// <summary>The fixtures copied beside the test assembly.</summary>
    public static string FixturesDir { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>A fixture file.</summary>
    public static string Fixture(params string[] parts) => Path.Combine([FixturesDir, .. parts]);

    /// <summary>A load context over fixtures and shared data.</summary>
    public static DatasetLoadContext Context(int seed = 1234) => new() { Data = TestLocator.Default, Seed = seed };

    /// <summary>Scratch files of this test run, under the test output folder; emptied when the run starts.</summary>
    private static readonly Lazy<string> ScratchDir = new(() =>
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "scratch");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    });

    /// <summary>Writes <paramref name="text"/> to a fresh scratch file with the given extension.</summary>
    public static string TempFile(string text, string extension)
    {
        var path = Path.Combine(ScratchDir.Value, $"{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, text);
        return path;
    }
}
