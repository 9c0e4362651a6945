namespace Retain.Hosting.Configuration;

/// <summary>
/// Environment variables the tool itself reads. Every other <c>RETAIN_*</c> variable is a configuration override
/// (<c>RETAIN_training__epochs=2</c> sets <c>training.epochs</c>).
/// </summary>
public static class RetainEnvironment
{
    /// <summary>Extra plugin folders, separated by the platform's path separator.</summary>
    public const string PluginPath = "RETAIN_PLUGIN_PATH";

    /// <summary>Seconds one plugin may take to register its components (default 60).</summary>
    public const string PluginTimeout = "RETAIN_PLUGIN_TIMEOUT";

    /// <summary>Extra data roots, separated by the platform's path separator.</summary>
    public const string DataPath = "RETAIN_DATA_PATH";

    /// <summary>Where caches live (default: ~/.cache/retain).</summary>
    public const string CacheDir = "RETAIN_CACHE_DIR";

    /// <summary>The shared test material (tests only).</summary>
    public const string Shared = "RETAIN_SHARED";

    /// <summary>Worker threads of the CPU backend.</summary>
    public const string Threads = "RETAIN_THREADS";

    /// <summary>Forces a GEMM implementation of the CPU backend (<c>managed</c> or <c>openblas</c>).</summary>
    public const string Gemm = "RETAIN_GEMM";

    /// <summary>Extra folders searched first for the CUDA libraries.</summary>
    public const string CudaLibraryDir = "RETAIN_CUDA_LIB_DIR";

    /// <summary>GEMM precision of the CUDA backend (<c>bf16</c>, <c>tf32</c> or <c>fp32</c>).</summary>
    public const string CudaMatmul = "RETAIN_CUDA_MATMUL";

    /// <summary>The names above, which are never configuration overrides.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        PluginPath, PluginTimeout, DataPath, CacheDir, Shared, Threads, Gemm, CudaLibraryDir, CudaMatmul,
    };

    /// <summary>The override prefix.</summary>
    public const string OverridePrefix = "RETAIN_";

    /// <summary>Splits a path-list variable into its entries.</summary>
    public static IReadOnlyList<string> PathList(string variable)
        => (Environment.GetEnvironmentVariable(variable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// The user's plugin folder, searched after <c>RETAIN_PLUGIN_PATH</c> by every <c>retain</c> (any build
    /// configuration, an installed tool): <c>$XDG_DATA_HOME/retain/plugins</c>, by default
    /// <c>~/.local/share/retain/plugins</c>. The plugin SDK copies plugins built outside the repository there.
    /// </summary>
    public static string UserPluginsFolder => Path.Combine(UserDataFolder(), "retain", "plugins");

    // Spelled out rather than SpecialFolder.LocalApplicationData (which differs on macOS) so that the plugin SDK's
    // MSBuild targets can compute the same folder.
    private static string UserDataFolder()
    {
        if (Environment.GetEnvironmentVariable("XDG_DATA_HOME") is { Length: > 0 } xdg) return Path.GetFullPath(xdg);
        if (OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable("LOCALAPPDATA") is { Length: > 0 } local) return local;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
    }

    /// <summary>The cache root.</summary>
    public static string CacheRoot => Environment.GetEnvironmentVariable(CacheDir) is { Length: > 0 } dir
        ? Path.GetFullPath(dir)
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "retain");
}
