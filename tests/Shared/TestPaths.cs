namespace Retain.Testing;

/// <summary>Locates the repository and the shared material (<c>../shared</c> beside the checkout).</summary>
internal static class TestPaths
{
    /// <summary>The repository root (the folder holding Framework.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The shared folder: <c>RETAIN_SHARED</c> when set, else <c>../shared</c> beside the repository.
    /// </summary>
    public static string Shared { get; } = Environment.GetEnvironmentVariable("RETAIN_SHARED") is { Length: > 0 } s
        ? Path.GetFullPath(s)
        : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>A path under the shared folder; fails the test with a clear message when missing.</summary>
    public static string SharedFile(params string[] parts)
    {
        var path = Path.Combine([Shared, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new FileNotFoundException(
                $"Shared test material not found at {path}. Set RETAIN_SHARED to the folder holding data/ and models/.");
        }
        return path;
    }

    /// <summary>A path under the repository.</summary>
    public static string RepoFile(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Framework.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Could not find Framework.sln above " + AppContext.BaseDirectory);
    }
}
