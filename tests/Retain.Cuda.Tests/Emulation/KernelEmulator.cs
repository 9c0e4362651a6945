using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Retain.Cuda.Tests.Fakes;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// Builds the embedded .cu sources with the host C++ compiler against cuda_emulator.h into a shared library and runs
/// kernel launches through it (see cuda_emulator.h for what the emulation covers). The library is built once per
/// source version into the temp folder. Without a C++ compiler the emulator tests are skipped; a compile error in the
/// kernels fails them.
/// </summary>
internal static unsafe class KernelEmulator
{
    private static readonly Lock Gate = new();
    private static readonly Lazy<Built> Library = new(Build);

    private sealed record Built(nint Launch, string? SkipReason, string? Path);

    [StructLayout(LayoutKind.Sequential)]
    private struct LaunchOptions
    {
        public int Schedule;
        public int BlockOrder;
        public int CheckShared;
        public int Reserved;
        public ulong Seed;
    }

    /// <summary>Null when the emulator is available, else why not.</summary>
    public static string? SkipReason => Library.Value.SkipReason;

    /// <summary>A CUDA backend whose kernels run in the emulator and whose GEMMs run on the host.</summary>
    public static CudaBackend Backend(CudaMatmulPrecision precision = CudaMatmulPrecision.Fp32, EmulatorOptions? options = null) =>
        new(new RecordingDevice(executor: new EmulatedLaunches(options ?? new EmulatorOptions()).Execute),
            new CudaBackendOptions { Matmul = precision, PoisonAllocations = true });

    /// <summary>
    /// Runs one launch over its grid (launches are serialised: the emulator's scheduler is process-wide); throws with
    /// the emulator's message, source lines resolved, when the launch fails.
    /// </summary>
    public static void Execute(KernelSpec kernel, Dim3 grid, int blockThreads, ReadOnlySpan<KernelArg> arguments, EmulatorRun run, bool checkShared, ulong seed)
    {
        var launch = (delegate* unmanaged<byte*, uint, uint, uint, uint, void**, LaunchOptions*, byte*, int, int>)Library.Value.Launch;
        if (launch is null) throw new InvalidOperationException("The kernel emulator is not available: " + SkipReason);
        ulong* values = stackalloc ulong[Math.Max(1, arguments.Length)];
        void** pointers = stackalloc void*[Math.Max(1, arguments.Length)];
        for (int i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Bits;
            pointers[i] = &values[i];
        }
        const int ErrorBytes = 2048;
        byte* error = stackalloc byte[ErrorBytes];
        var name = Encoding.ASCII.GetBytes(kernel.Name + "\0");
        var options = new LaunchOptions { Schedule = (int)run.Schedule, BlockOrder = (int)run.Blocks, CheckShared = checkShared ? 1 : 0, Seed = seed };
        int result;
        lock (Gate)
        {
            fixed (byte* n = name) result = launch(n, grid.X, grid.Y, grid.Z, (uint)blockThreads, pointers, &options, error, ErrorBytes);
        }
        if (result != 0) throw new InvalidOperationException("Emulated launch failed: " + SourceLines.Resolve(Marshal.PtrToStringUTF8((nint)error) ?? "", Library.Value.Path!));
    }

    private static Built Build()
    {
        // clang++ first: CI installs it, and its ThreadSanitizer instrumentation also reports memcpy/memset.
        string? compiler = new[] { "clang++", "g++", "c++" }.Select(FindOnPath).FirstOrDefault(p => p is not null);
        if (compiler is null) return new Built(0, "no C++ compiler (clang++, g++ or c++) on PATH to build the CUDA kernel emulator", null);

        string here = Path.Combine(AppContext.BaseDirectory, "Emulation");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "cuda_emulator.h", "emulator_internal.h", "emulator.cpp", "kernel_table.cpp", "shared_memory_checker.cpp" })
        {
            files[file] = File.ReadAllText(Path.Combine(here, file));
        }
        var include = new StringBuilder();
        foreach (var module in KernelSources.ModuleNames.Select(KernelSources.Module))
        {
            files[module.Name + ".cu"] = module.Source;
            foreach (var (header, text) in module.Headers) files[header] = text;
            include.Append("#include \"").Append(module.Name).Append(".cu\"\n");
        }
        files[PlantedFaults.Module + ".cu"] = File.ReadAllText(Path.Combine(here, PlantedFaults.Module + ".cu"));
        include.Append("#include \"").Append(PlantedFaults.Module).Append(".cu\"\n");
        include.Append("#define RETAIN_EMULATED_KERNELS \\\n");
        foreach (var kernel in CudaKernels.All.Concat(PlantedFaults.All))
        {
            string source = kernel.Module == PlantedFaults.Module ? files[PlantedFaults.Module + ".cu"] : KernelSources.Module(kernel.Module).Source;
            bool barriers = UsesBarriers(source, kernel.Name);
            include.Append("    RETAIN_KERNEL(").Append(kernel.Name).Append(", ").Append(barriers ? "true" : "false").Append(") \\\n");
        }
        include.Append('\n');
        files["kernels.inc"] = include.ToString();

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compiler + string.Concat(files.Select(f => f.Key + "\n" + f.Value)))))[..16];
        string folder = Path.Combine(Path.GetTempPath(), "retain-cuda-emulator-" + hash);
        string library = Path.Combine(folder, "libretain_cuda_emulator.so");
        if (!File.Exists(library))
        {
            Directory.CreateDirectory(folder);
            foreach (var (name, text) in files) File.WriteAllText(Path.Combine(folder, name), text);
            string suffix = "." + Environment.ProcessId + ".tmp";
            // _setjmp/_longjmp switch stacks: fortified longjmp checks would reject that. The kernels alone get
            // ThreadSanitizer's instrumentation (without its runtime: shared_memory_checker.cpp receives the calls) and
            // debug lines, so a fault names its source line.
            string[] common = ["-std=c++20", "-O2", "-U_FORTIFY_SOURCE", "-fPIC", "-Wall", "-Wextra", "-Werror"];
            var units = new (string Source, string[] Extra)[]
            {
                ("kernel_table.cpp", ["-fsanitize=thread", "-g", "-include", "cuda_emulator.h"]),
                ("emulator.cpp", []),
                ("shared_memory_checker.cpp", []),
            };
            var objects = new List<string>();
            foreach (var (source, extra) in units)
            {
                string obj = Path.ChangeExtension(source, ".o") + suffix;
                var (code, output) = Run(compiler, folder, [.. common, .. extra, "-c", "-o", obj, source]);
                if (code != 0) throw new InvalidOperationException($"The CUDA kernels do not compile against the emulator ({compiler}, {source}):\n{output}");
                objects.Add(obj);
            }
            string temporary = library + suffix;
            var (linked, log) = Run(compiler, folder, ["-shared", "-o", temporary, .. objects]);
            if (linked != 0) throw new InvalidOperationException($"The CUDA kernel emulator does not link ({compiler}):\n{log}");
            File.Move(temporary, library, overwrite: true);
        }
        var handle = NativeLibrary.Load(library);
        return new Built(NativeLibrary.GetExport(handle, "retain_emulator_launch"), null, library);
    }

    /// <summary>
    /// Whether a kernel's body (from its signature to the next kernel) synchronises its block. The emulator runs the
    /// others as plain calls and fails a launch whose kernel turns out to reach a barrier.
    /// </summary>
    private static bool UsesBarriers(string source, string kernel)
    {
        int start = source.IndexOf("void " + kernel + "(", StringComparison.Ordinal);
        int end = source.IndexOf("extern \"C\"", start + 1, StringComparison.Ordinal);
        string body = end < 0 ? source[start..] : source[start..end];
        return body.Contains("__syncthreads", StringComparison.Ordinal) || body.Contains("retain_block_", StringComparison.Ordinal);
    }

    internal static (int Code, string Output) Run(string file, string folder, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}

/// <summary>A fact that runs the CUDA kernels in the emulator; skipped (with the reason) without a C++ compiler.</summary>
public sealed class EmulatorFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the emulator cannot be built here.</summary>
    public EmulatorFactAttribute()
    {
        if (KernelEmulator.SkipReason is { } reason) Skip = reason;
    }
}
