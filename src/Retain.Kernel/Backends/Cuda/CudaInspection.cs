using System.Text.RegularExpressions;
using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Discovery;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

/// <summary>One GPU as the driver reports it.</summary>
/// <param name="Ordinal">CUDA device ordinal.</param>
/// <param name="Name">Marketing name.</param>
/// <param name="ComputeCapability">major·10 + minor.</param>
/// <param name="Multiprocessors">SM count.</param>
/// <param name="FreeBytes">Free device memory.</param>
/// <param name="TotalBytes">Device memory.</param>
public sealed record CudaGpu(int Ordinal, string Name, int ComputeCapability, int Multiprocessors, long FreeBytes, long TotalBytes);

/// <summary>
/// What <c>retain doctor</c> reports about CUDA on this machine: every library with the path found (or the folders
/// searched), the driver and library versions, each GPU, the kernel cache and the precompiled architectures, and a
/// list of problems that stop the CUDA backend (empty when it can run).
/// </summary>
public sealed partial record CudaInspection
{
    /// <summary>The library search, per library.</summary>
    public required IReadOnlyList<CudaLibraryProbe> Libraries { get; init; }

    /// <summary>The CUDA version the driver supports, as cuDriverGetVersion gives it (e.g. 12080), or null.</summary>
    public int? DriverCudaVersion { get; init; }

    /// <summary>The NVIDIA kernel module version (e.g. 580.65.06) from /proc/driver/nvidia/version, or null.</summary>
    public string? DriverVersion { get; init; }

    /// <summary>NVRTC's version, or null.</summary>
    public string? NvrtcVersion { get; init; }

    /// <summary>cuBLAS's version, or null.</summary>
    public string? CublasVersion { get; init; }

    /// <summary>The GPUs.</summary>
    public IReadOnlyList<CudaGpu> Gpus { get; init; } = [];

    /// <summary>What stops the CUDA backend; empty when it can run.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Remarks that do not stop it (e.g. NVRTC missing but precompiled kernels cover every GPU).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The kernel cache folder.</summary>
    public required string KernelCacheDirectory { get; init; }

    /// <summary>Architectures (e.g. 80, 90) this build carries precompiled kernels for.</summary>
    public required IReadOnlyList<int> PrecompiledArchitectures { get; init; }

    /// <summary>Whether the CUDA backend can run.</summary>
    public bool Usable => Problems.Count == 0 && Gpus.Count > 0;

    /// <summary>"79.10 GiB"-style sizes.</summary>
    public static string FormatBytes(long bytes) => Memory.CachingAllocator.Format(bytes);

    /// <summary>"12.8" from 12080.</summary>
    public static string FormatCudaVersion(int version) => $"{version / 1000}.{version % 1000 / 10}";

    /// <summary>Looks at the machine (loads the libraries found, initialises the driver; allocates nothing on the GPUs).</summary>
    public static CudaInspection Run(CudaSearchSettings? settings = null)
    {
        var probes = CudaLibrarySearch.Probe(settings);
        var problems = new List<string>();
        var notes = new List<string>();
        var gpus = new List<CudaGpu>();
        int? cudaVersion = null;
        string? nvrtcVersion = null, cublasVersion = null;

        try
        {
            var driver = CudaLibraries.LoadDriver(probes);
            cudaVersion = driver.DriverVersion();
            int init = driver.Init();
            if (init == CudaDriver.ErrorNoDevice) problems.Add($"{driver.Library.Path} is installed but cuInit reports no CUDA-capable GPU (CUDA_ERROR_NO_DEVICE).");
            else if (init == CudaDriver.ErrorStubLibrary) problems.Add($"{driver.Library.Path} is the CUDA toolkit's stub library, not the NVIDIA driver (CUDA_ERROR_STUB_LIBRARY).");
            else if (init != 0) problems.Add($"cuInit failed with {CudaResultNames.Name(CudaLibrary.Driver, init)} ({init}): {driver.Describe(init)}");
            else gpus.AddRange(ListGpus(driver));
            if (init == 0 && gpus.Count == 0) problems.Add("the NVIDIA driver reports no GPU.");
        }
        catch (CudaException e)
        {
            problems.Add(e.Message);
        }
        catch (CudaUnavailableException e)
        {
            problems.Add(e.Message);
        }

        // Missing libraries are named briefly here: the folders searched are listed once, with the driver.
        var cublasProbe = probes[CudaLibraryKind.Cublas];
        if (!cublasProbe.Found)
        {
            problems.Add($"cuBLAS not found ({cublasProbe.Describe()}); install the CUDA toolkit or the nvidia-cublas pip wheel, or set {CudaSearchSettings.LibraryDirectoryVariable}.");
        }
        else
        {
            try
            {
                cublasVersion = CudaLibraries.LoadCublas(probes).Version();
            }
            catch (Exception e) when (e is CudaUnavailableException or CudaException)
            {
                problems.Add(e.Message);
            }
        }

        var precompiled = KernelSources.PrecompiledArchitectures();
        try
        {
            var nvrtc = CudaLibraries.LoadNvrtc(probes);
            if (nvrtc is not null)
            {
                var (major, minor) = nvrtc.Version();
                nvrtcVersion = $"{major}.{minor}";
                if (nvrtc.Builtins is null) notes.Add($"{probes[CudaLibraryKind.NvrtcBuiltins].Describe()} was not found beside {nvrtc.Library.Path}; NVRTC may fail to compile.");
            }
            else
            {
                var uncovered = gpus.Where(g => !precompiled.Any(a => a / 10 == g.ComputeCapability / 10 && a <= g.ComputeCapability)).ToList();
                string missing = $"NVRTC not found ({probes[CudaLibraryKind.Nvrtc].Describe()})";
                if (gpus.Count == 0) problems.Add($"{missing}; kernels can only come from precompiled CUBINs. Install the CUDA toolkit or the nvidia-cuda-nvrtc pip wheel.");
                else if (uncovered.Count > 0) problems.Add($"{missing}; this build has no precompiled kernels for sm_{string.Join(", sm_", uncovered.Select(g => g.ComputeCapability))}. Install the CUDA toolkit or the nvidia-cuda-nvrtc pip wheel.");
                else notes.Add($"{missing}; the precompiled kernels cover every GPU here.");
            }
        }
        catch (Exception e) when (e is CudaUnavailableException or CudaException)
        {
            problems.Add(e.Message);
        }

        return new CudaInspection
        {
            Libraries = probes.Values.ToArray(),
            DriverCudaVersion = cudaVersion,
            DriverVersion = KernelModuleVersion(),
            NvrtcVersion = nvrtcVersion,
            CublasVersion = cublasVersion,
            Gpus = gpus,
            Problems = problems,
            Notes = notes,
            KernelCacheDirectory = KernelCache.DefaultDirectory,
            PrecompiledArchitectures = precompiled,
        };
    }

    private static List<CudaGpu> ListGpus(CudaDriver driver)
    {
        var gpus = new List<CudaGpu>();
        int count = driver.DeviceCount();
        for (int ordinal = 0; ordinal < count; ordinal++)
        {
            int device = driver.Device(ordinal);
            int cc = driver.DeviceAttribute(device, CudaDriver.AttributeComputeCapabilityMajor) * 10 + driver.DeviceAttribute(device, CudaDriver.AttributeComputeCapabilityMinor);
            int sms = driver.DeviceAttribute(device, CudaDriver.AttributeMultiprocessorCount);
            long free = -1, total = driver.DeviceTotalMemory(device);
            // Free memory needs a context: the primary one, retained only for the query.
            var context = driver.RetainPrimaryContext(device);
            try
            {
                driver.SetCurrent(context);
                (free, total) = driver.MemoryInfo();
            }
            finally
            {
                driver.SetCurrent(0);
                CudaDevice.ForgetCurrentContext();
                driver.ReleasePrimaryContext(device);
            }
            gpus.Add(new CudaGpu(ordinal, driver.DeviceName(device), cc, sms, free, total));
        }
        return gpus;
    }

    private static string? KernelModuleVersion()
    {
        const string path = "/proc/driver/nvidia/version";
        try
        {
            if (!File.Exists(path)) return null;
            var match = ModuleVersion().Match(File.ReadLines(path).FirstOrDefault() ?? "");
            return match.Success ? match.Value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\b\d{3,}\.\d+(\.\d+)?\b")]
    private static partial Regex ModuleVersion();
}
