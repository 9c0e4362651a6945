using Retain.Data;

namespace Retain.Hosting.Configuration;

/// <summary>
/// Resolves data paths: absolute paths as they are; relative ones against each root in order — the configuration
/// file's folder, configured roots, <c>RETAIN_DATA_PATH</c>, the data shipped beside the CLI (<c>assets/data</c>), and,
/// in a source checkout, <c>../shared/data</c> beside the repository.
/// </summary>
public sealed class DataLocator(IReadOnlyList<string> roots) : IDataLocator
{
    /// <summary>The roots, in search order.</summary>
    public IReadOnlyList<string> Roots { get; } = roots;

    /// <summary>The standard roots after <paramref name="first"/>.</summary>
    public static DataLocator Create(params IEnumerable<string>[] first)
    {
        var roots = first.SelectMany(r => r).Select(Path.GetFullPath).ToList();
        roots.AddRange(RetainEnvironment.PathList(RetainEnvironment.DataPath).Select(Path.GetFullPath));
        roots.Add(Path.Combine(AppContext.BaseDirectory, "assets", "data"));
        if (SourceCheckout.SharedDirectory is { } shared) roots.Add(Path.Combine(shared, "data"));
        return new DataLocator(roots.Distinct().ToList());
    }

    /// <inheritdoc />
    public string Resolve(string path)
        => TryResolve(path) ?? throw new DataException(Path.IsPathRooted(path)
            ? $"data file not found: {path}"
            : $"data file '{path}' not found; looked in: {string.Join(", ", Roots.Select(r => Path.Combine(r, path)))}");

    /// <inheritdoc />
    public string? TryResolve(string path)
    {
        if (Path.IsPathRooted(path)) return Exists(path) ? Path.GetFullPath(path) : null;
        foreach (var root in Roots)
        {
            var candidate = Path.GetFullPath(Path.Combine(root, path));
            if (Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>A file, a folder, or a hub-cache folder named with <c>@revision</c> (the dataset reader picks the snapshot).</summary>
    private static bool Exists(string path)
        => File.Exists(path) || Directory.Exists(path) || HubCacheFolder.SplitRevision(path) is { Revision: not null } named && Directory.Exists(named.Folder);
}

/// <summary>Where a source checkout's shared material is, when the CLI runs from one.</summary>
public static class SourceCheckout
{
    /// <summary>The repository root when the running binary lives under a checkout (holds Framework.sln), else null.</summary>
    public static string? RepositoryRoot { get; } = Find();

    /// <summary><c>RETAIN_SHARED</c>, else <c>../shared</c> beside the repository, when it exists.</summary>
    public static string? SharedDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable(RetainEnvironment.Shared) is { Length: > 0 } s && Directory.Exists(s)) return Path.GetFullPath(s);
            if (RepositoryRoot is null) return null;
            var shared = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(shared) ? shared : null;
        }
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Framework.sln"))) return dir.FullName;
        }
        return null;
    }
}
