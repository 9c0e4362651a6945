using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Retain.Kernel;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cpu.Gemm.Calibration;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Discovery;
using Retain.Kernel.Diagnostics;

namespace Retain.Cli.Commands;

/// <summary>
/// <c>retain doctor [--device cpu|cuda|cuda:N] [--verify] [--matmul all|bf16|tf32|fp32] [--seed N] [--recalibrate]</c>: what the
/// backends find on this machine (CPU threads and the measured GEMM choice; for CUDA the GPUs, versions, every library's path or the
/// folders searched), and with <c>--verify</c> every op of the device's backend against the CPU backend.
/// </summary>
public static class DoctorCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var device = new Option<string?>("--device") { Description = $"Also open this device ({BackendFactory.DeviceHelp}); fails (exit 1) when it cannot run. --verify defaults to cuda." };
        var verify = new Option<bool>("--verify") { Description = "Run every backend op on random inputs on the device and on the CPU backend and compare (fp32 ≤ 1e-5, bf16 GEMMs ≤ 1e-2)." };
        var matmul = new Option<string>("--matmul") { Description = "GEMM precisions to verify on CUDA: all, bf16, tf32 or fp32.", DefaultValueFactory = _ => "all" };
        var seed = new Option<int>("--seed") { Description = "Seed of the random inputs of --verify.", DefaultValueFactory = _ => 1 };
        var verbose = new Option<bool>("--verbose") { Description = "On a machine without a GPU, list every folder searched and every CUDA library missing too." };
        var recalibrate = new Option<bool>("--recalibrate") { Description = "Measure the CPU GEMM choice again (managed against OpenBLAS per shape class) and replace the cached calibration." };
        var command = new Command("doctor", "Report the CPU and CUDA backends this machine can run (and verify one against the other).") { device, verify, matmul, seed, verbose, recalibrate };
        command.SetAction(parse => console.Guard(() =>
        {
            var deviceName = parse.GetValue(device) ?? (parse.GetValue(verify) ? "cuda" : null);
            if (deviceName is not null) ParseDevice(deviceName);
            WriteCpu(console, parse.GetValue(recalibrate));
            var inspection = CudaInspection.Run();
            WriteCuda(console, inspection, parse.GetValue(verbose));
            if (deviceName is null) return ExitCodes.Success;
            if (!parse.GetValue(verify)) return Open(console, deviceName);
            return Verify(console, deviceName, parse.GetValue(matmul)!, parse.GetValue(seed));
        }));
        return command;
    }

    private static (string Kind, int Ordinal) ParseDevice(string device)
    {
        try
        {
            return BackendFactory.Parse(device);
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--device: " + e.Message.Split(" (Parameter")[0]);
        }
    }

    private static void WriteCpu(CliConsole console, bool recalibrate)
    {
        console.Out.WriteLine($"retain {KernelInfo.Version} ({RuntimeInformation.FrameworkDescription}, {RuntimeInformation.RuntimeIdentifier}, {Environment.ProcessorCount} logical CPUs)");
        using var cpu = new CpuBackend(new CpuBackendOptions { RecalibrateGemm = recalibrate });
        console.Out.WriteLine($"cpu: {cpu.Name}");
        console.Out.WriteLine(CpuBackend.OpenBlasPath is { } openBlas
            ? $"  OpenBLAS: {openBlas}"
            : $"  OpenBLAS: not found (install libopenblas0-pthread); the managed GEMM ({cpu.GemmName}) is used");
        if (CpuBackend.OpenBlasVersion is { } version) console.Out.WriteLine($"  OpenBLAS build: {version}");
        if (cpu.GemmCalibration is { } calibration) WriteGemmCalibration(console, calibration);
        else if (CpuBackend.OpenBlasPath is not null) console.Out.WriteLine($"  GEMM: {cpu.GemmName} for every product (RETAIN_GEMM={Environment.GetEnvironmentVariable("RETAIN_GEMM")})");
    }

    private static void WriteGemmCalibration(CliConsole console, GemmCalibration calibration)
    {
        var o = console.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  GEMM choice per shape class and layout (measured {calibration.MeasuredAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, best of {calibration.Rounds} interleaved rounds; \"1-thread\" = the managed GEMM kept on the calling thread, not split across the workers; RETAIN_GEMM=managed|openblas overrides):"));
        if (calibration.OtherCpus is { } others)
        {
            string busy = string.Create(CultureInfo.InvariantCulture, $"  other processes kept {others:0.00} logical CPUs busy while it ran");
            o.WriteLine(calibration.Provisional
                ? busy + string.Create(CultureInfo.InvariantCulture, $" (over {GemmCalibration.QuietLimit:0.00}): provisional, the next run calibrates again")
                : busy);
        }
        foreach (var c in calibration.Routes)
        {
            var rates = string.Join("  ", c.Gflops.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key} {pair.Value,7:0.0}")));
            o.WriteLine($"    {c.Description,-14} {c.Layout,-5} {c.Shape,-13} GFLOP/s: {rates}  -> {c.Choice}");
        }
    }

    private static void WriteCuda(CliConsole console, CudaInspection inspection, bool verbose)
    {
        var o = console.Out;
        o.WriteLine(inspection.Usable ? "cuda: ready" : "cuda: not available");
        var driver = inspection.Libraries.FirstOrDefault(l => l.Kind == CudaLibraryKind.Driver);
        if (!verbose && driver is { Found: false } && inspection.DriverCudaVersion is null)
        {
            // No driver: nothing else about CUDA matters on this machine, and the search list is long.
            o.WriteLine($"  no GPU: no libcuda.so.1 found (searched {driver.Searched.Count} places; --verbose lists them)");
            return;
        }
        foreach (var problem in inspection.Problems) o.WriteLine($"  {problem}");
        if (inspection.DriverCudaVersion is { } cuda)
        {
            o.WriteLine($"  driver {inspection.DriverVersion ?? "(version unknown)"}, supports CUDA {CudaInspection.FormatCudaVersion(cuda)}");
        }
        foreach (var gpu in inspection.Gpus)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  GPU {gpu.Ordinal}: {gpu.Name}, compute capability {gpu.ComputeCapability / 10}.{gpu.ComputeCapability % 10}, {gpu.Multiprocessors} SMs, " +
                $"{CudaInspection.FormatBytes(gpu.FreeBytes)} free of {CudaInspection.FormatBytes(gpu.TotalBytes)}"));
        }
        foreach (var library in inspection.Libraries)
        {
            string version = library.Kind switch
            {
                CudaLibraryKind.Nvrtc when inspection.NvrtcVersion is not null => $" (NVRTC {inspection.NvrtcVersion})",
                CudaLibraryKind.Cublas when inspection.CublasVersion is not null => $" (cuBLAS {inspection.CublasVersion})",
                _ => "",
            };
            o.WriteLine($"  {library.Describe()}: {library.Path ?? "not found"}{version}");
        }
        foreach (var note in inspection.Notes) o.WriteLine($"  note: {note}");
        o.WriteLine($"  kernel cache: {inspection.KernelCacheDirectory}");
        o.WriteLine(inspection.PrecompiledArchitectures.Count > 0
            ? $"  precompiled kernels: sm_{string.Join(", sm_", inspection.PrecompiledArchitectures)}"
            : "  precompiled kernels: none (built without nvcc; kernels compile with NVRTC at first use)");
    }

    private static int Open(CliConsole console, string device)
    {
        try
        {
            using var backend = BackendFactory.Create(device);
            console.Out.WriteLine($"{device}: opened {backend.Name}");
            return ExitCodes.Success;
        }
        catch (Kernel.Backends.Cuda.Interop.CudaUnavailableException e)
        {
            console.Error.WriteLine($"error: {device} is not available: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    private static int Verify(CliConsole console, string device, string matmul, int seed)
    {
        var (kind, ordinal) = ParseDevice(device);
        var runs = new List<(string Label, Func<IBackend> Candidate, BackendComparisonOptions Options)>();
        if (kind == "cpu")
        {
            runs.Add(("", () => new CpuBackend(new CpuBackendOptions { Threads = 2 }),
                new BackendComparisonOptions { Seed = seed }));
        }
        else
        {
            var precisions = matmul.Trim().ToLowerInvariant() == "all"
                ? [CudaMatmulPrecision.Fp32, CudaMatmulPrecision.Bf16]
                : new[] { ParseMatmul(matmul) };
            foreach (var precision in precisions)
            {
                double matmulTolerance = precision == CudaMatmulPrecision.Fp32 ? 1e-5 : 1e-2;
                runs.Add(($"; {precision.ToString().ToLowerInvariant()} GEMMs within {matmulTolerance:0e+00}",
                    () => CudaBackend.Create(new CudaBackendOptions { Device = ordinal, Matmul = precision }),
                    new BackendComparisonOptions { Seed = seed, MatmulTolerance = matmulTolerance }));
            }
        }

        int failed = 0, total = 0;
        using var reference = new CpuBackend(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });
        foreach (var (label, create, options) in runs)
        {
            IBackend candidate;
            try
            {
                candidate = create();
            }
            catch (Kernel.Backends.Cuda.Interop.CudaUnavailableException e)
            {
                console.Error.WriteLine($"error: {device} is not available: {e.Message}");
                return ExitCodes.Failed;
            }
            using (candidate)
            {
                console.Out.WriteLine($"verify: {candidate.Name} against {reference.Name} (seed {seed}{label})");
                foreach (var check in new BackendComparison(reference, candidate, options).Run())
                {
                    total++;
                    if (!check.Passed) failed++;
                    string verdict = check.Passed ? "pass" : "FAIL";
                    string detail = check.Error ?? string.Create(CultureInfo.InvariantCulture, $"{check.RelativeError:0.0e+00} (≤ {check.Tolerance:0e+00})");
                    console.Out.WriteLine($"  {verdict}  {detail,-22}  {check.Op}: {check.Output}");
                }
            }
        }
        console.Out.WriteLine($"verify: {total - failed} of {total} checks passed");
        return failed == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    private static CudaMatmulPrecision ParseMatmul(string text)
    {
        try
        {
            return CudaBackendOptions.ParseMatmul(text, "--matmul");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
