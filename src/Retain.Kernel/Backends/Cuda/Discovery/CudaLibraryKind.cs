namespace Retain.Kernel.Backends.Cuda.Discovery;

/// <summary>The native libraries the CUDA backend loads.</summary>
public enum CudaLibraryKind
{
    /// <summary>The driver API, installed with the NVIDIA driver: <c>libcuda.so.1</c>.</summary>
    Driver,
    /// <summary>The runtime compiler: <c>libnvrtc.so.13</c> or <c>.12</c>.</summary>
    Nvrtc,
    /// <summary>NVRTC's builtins, opened by NVRTC at compile time: <c>libnvrtc-builtins.so.&lt;major&gt;.&lt;minor&gt;</c> beside it.</summary>
    NvrtcBuiltins,
    /// <summary>cuBLAS: <c>libcublas.so.13</c> or <c>.12</c>.</summary>
    Cublas,
    /// <summary>cuBLASLt, which cuBLAS links against: <c>libcublasLt.so.&lt;major&gt;</c> beside it.</summary>
    CublasLt,
}

/// <summary>Where one library was found (or not), and every folder that was searched.</summary>
/// <param name="Kind">The library.</param>
/// <param name="FileNames">The file names that satisfy it, in preference order.</param>
/// <param name="Path">The file found, or null.</param>
/// <param name="Searched">The folders searched, in order.</param>
public sealed record CudaLibraryProbe(CudaLibraryKind Kind, IReadOnlyList<string> FileNames, string? Path, IReadOnlyList<string> Searched)
{
    /// <summary>Whether a file was found.</summary>
    public bool Found => Path is not null;

    /// <summary>The file names joined for messages, e.g. <c>libnvrtc.so.13|libnvrtc.so.12</c>.</summary>
    public string Describe() => string.Join("|", FileNames);

    /// <summary>"X not found; searched: a, b, c".</summary>
    public string NotFoundMessage() => $"{Describe()} not found; searched: {string.Join(", ", Searched)}";
}
