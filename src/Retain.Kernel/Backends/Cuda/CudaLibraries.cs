using Retain.Kernel.Backends.Cuda.Discovery;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

/// <summary>
/// The CUDA libraries of this process, found by <see cref="CudaLibrarySearch"/> and loaded by absolute path (cuBLASLt
/// before cuBLAS, the NVRTC builtins before NVRTC, so their own dependencies resolve without LD_LIBRARY_PATH).
/// </summary>
internal sealed class CudaLibraries
{
    private static readonly Lock Gate = new();
    private static CudaLibraries? _shared;

    private CudaLibraries(IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> probes, CudaDriver driver, Nvrtc? nvrtc, Cublas cublas)
    {
        Probes = probes;
        Driver = driver;
        Nvrtc = nvrtc;
        Cublas = cublas;
    }

    /// <summary>What the search found.</summary>
    public IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> Probes { get; }

    /// <summary>The driver API.</summary>
    public CudaDriver Driver { get; }

    /// <summary>NVRTC, or null when it is not installed (precompiled kernels may still serve).</summary>
    public Nvrtc? Nvrtc { get; }

    /// <summary>cuBLAS.</summary>
    public Cublas Cublas { get; }

    /// <summary>The libraries of this process (searched and loaded once; a failure is retried on the next call).</summary>
    public static CudaLibraries Shared()
    {
        lock (Gate)
        {
            if (_shared is not null) return _shared;
            var probes = CudaLibrarySearch.Probe();
            var driver = LoadDriver(probes);
            var cublas = LoadCublas(probes);
            var nvrtc = LoadNvrtc(probes);
            return _shared = new CudaLibraries(probes, driver, nvrtc, cublas);
        }
    }

    /// <summary>The driver API, or a <see cref="CudaUnavailableException"/> saying where libcuda.so.1 was looked for.</summary>
    public static CudaDriver LoadDriver(IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> probes)
    {
        var probe = probes[CudaLibraryKind.Driver];
        var file = probe.Path is not null ? NativeLibraries.Load(probe.Path) : NativeLibraries.TryLoadBySoname("libcuda.so.1");
        if (file is null) throw new CudaUnavailableException(NoDriverMessage(probe));
        return new CudaDriver(file);
    }

    /// <summary>The message for a machine without the driver library.</summary>
    public static string NoDriverMessage(CudaLibraryProbe driverProbe) =>
        $"no NVIDIA driver (libcuda.so.1 not found); searched: {string.Join(", ", driverProbe.Searched)}";

    /// <summary>cuBLAS (with cuBLASLt), or a clear error naming what is missing.</summary>
    public static Cublas LoadCublas(IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> probes)
    {
        var cublas = probes[CudaLibraryKind.Cublas];
        var lt = probes[CudaLibraryKind.CublasLt];
        if (cublas.Path is null)
        {
            throw new CudaUnavailableException($"cuBLAS ({cublas.NotFoundMessage()}). Install the CUDA toolkit or the nvidia-cublas pip wheel, or set {CudaSearchSettings.LibraryDirectoryVariable}.");
        }
        if (lt.Path is null) throw new CudaUnavailableException($"cuBLASLt, which {cublas.Path} needs ({lt.NotFoundMessage()}).");
        var ltFile = NativeLibraries.Load(lt.Path);
        return new Cublas(NativeLibraries.Load(cublas.Path), ltFile);
    }

    /// <summary>NVRTC (with its builtins), null when not installed, or a clear error when present but unloadable.</summary>
    public static Nvrtc? LoadNvrtc(IReadOnlyDictionary<CudaLibraryKind, CudaLibraryProbe> probes)
    {
        var nvrtc = probes[CudaLibraryKind.Nvrtc];
        if (nvrtc.Path is null) return null;
        var builtins = probes[CudaLibraryKind.NvrtcBuiltins];
        var builtinsFile = builtins.Path is null ? null : NativeLibraries.Load(builtins.Path);
        return new Nvrtc(NativeLibraries.Load(nvrtc.Path), builtinsFile);
    }
}
