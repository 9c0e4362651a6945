namespace Retain.Kernel.Backends.Cuda.Discovery;

/// <summary>
/// What the library search looks at: environment variables, the file-system root the standard folders live under
/// (tests point it at a fake tree) and the home folder. The defaults describe this process and machine.
/// </summary>
public sealed record CudaSearchSettings
{
    /// <summary>Extra library folders searched first (path-list): <c>RETAIN_CUDA_LIB_DIR</c>.</summary>
    public const string LibraryDirectoryVariable = "RETAIN_CUDA_LIB_DIR";

    /// <summary>Reads an environment variable.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The root the standard folders (<c>/usr/local/cuda</c>, <c>/usr/lib/x86_64-linux-gnu</c>, ...) are resolved under.</summary>
    public string Root { get; init; } = "/";

    /// <summary>The user's home folder (for <c>~/.local/lib/python3.*/site-packages</c>).</summary>
    public string Home { get; init; } = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
}
