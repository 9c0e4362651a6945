using System.Text.RegularExpressions;
using Retain.Cuda.Tests.Emulation;
using Retain.Kernel.Backends.Cuda.Compilation;
using Xunit.Abstractions;

namespace Retain.Cuda.Tests.Compilation;

/// <summary>
/// Every embedded .cu module compiled as CUDA device code by clang (<c>-x cuda --cuda-device-only</c>, to PTX, with
/// warnings as errors, without the CUDA toolkit: Clang/nvrtc_builtins.cuh declares what NVRTC provides built in), for
/// sm_80 and for sm_90 where the installed clang knows it (clang 14 stops at sm_86; the newest clang on PATH is used, and CI installs
/// clang-16). The PTX must export every kernel
/// the backend launches from that module under its extern "C" name with the parameter widths of its KernelSpec, call
/// no device function but libdevice's, and keep static shared memory within the 48 KiB a block gets without opt-in.
/// Skipped (with the reason) where no clang is installed; CI installs it.
/// </summary>
public partial class ClangCudaCompileTests(ITestOutputHelper output)
{
    /// <summary>The architectures the backend targets (precompiled CUBINs and NVRTC), newest last.</summary>
    private static readonly string[] Architectures = ["sm_80", "sm_90"];

    private static readonly Lazy<Clang?> Compiler = new(Clang.Find);

    public static TheoryData<string> Modules() => new(KernelSources.ModuleNames);

    [ClangTheory]
    [MemberData(nameof(Modules))]
    public void The_module_compiles_as_cuda_and_exports_the_kernels_the_backend_launches(string module)
    {
        var clang = Compiler.Value!;
        var source = KernelSources.Module(module);
        string folder = Directory.CreateTempSubdirectory("retain-clang-cuda-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, module + ".cu"), source.Source);
            foreach (var (header, text) in source.Headers) File.WriteAllText(Path.Combine(folder, header), text);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Compilation", "Clang", "nvrtc_builtins.cuh"), Path.Combine(folder, "nvrtc_builtins.cuh"));
            int compiled = 0;
            foreach (var architecture in Architectures)
            {
                if (!clang.Supports(architecture))
                {
                    output.WriteLine($"{module}.cu: {architecture} not checked: {clang.Version} does not know it");
                    continue;
                }
                string ptx = Path.Combine(folder, $"{module}.{architecture}.ptx");
                var (code, log) = KernelEmulator.Run(clang.Path, folder, [.. Clang.Options(architecture), "-o", ptx, module + ".cu"]);
                code.ShouldBe(0, $"{clang.Version} --cuda-gpu-arch={architecture} rejects {module}.cu:\n{log}");
                CheckPtx(module, architecture, File.ReadAllText(ptx));
                output.WriteLine($"{module}.cu: {architecture} compiled by {clang.Version}, no warnings");
                compiled++;
            }
            compiled.ShouldBeGreaterThan(0, $"{clang.Version} supports none of {string.Join(", ", Architectures)}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GeneratedRegex(@"\.visible\s+\.entry\s+(\w+)\s*\(([^)]*)\)")]
    private static partial Regex Entry();

    [GeneratedRegex(@"\.param\s+\.(\w+)\s+\w+")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\.extern\s+\.func\s*(?:\([^)]*\))?\s*(\w+)")]
    private static partial Regex ExternalFunction();

    [GeneratedRegex(@"\.shared\s+\.align\s+\d+\s+\.b8\s+\w+\[(\d+)\]")]
    private static partial Regex SharedVariable();

    private static void CheckPtx(string module, string architecture, string ptx)
    {
        string where = $"{module}.cu ({architecture})";
        var entries = Entry().Matches(ptx).ToDictionary(m => m.Groups[1].Value, m => Parameter().Matches(m.Groups[2].Value).Select(p => p.Groups[1].Value).ToArray());
        var launched = CudaKernels.All.Where(k => k.Module == module).ToArray();
        launched.ShouldNotBeEmpty();
        entries.Keys.Order(StringComparer.Ordinal).ShouldBe(launched.Select(k => k.Name).Order(StringComparer.Ordinal), $"{where}: exported kernels");
        foreach (var kernel in launched)
        {
            entries[kernel.Name].ShouldBe(kernel.Parameters.Select(PtxType).ToArray(), $"{where}: PTX parameters of {kernel.Name}");
        }
        ExternalFunction().Matches(ptx).Select(m => m.Groups[1].Value).Where(f => !f.StartsWith("__nv_", StringComparison.Ordinal))
            .ShouldBeEmpty($"{where} calls device functions that neither the module nor libdevice defines");
        SharedVariable().Matches(ptx).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ShouldBeLessThanOrEqualTo(48 * 1024, $"{where}: static shared memory (all kernels of the module together bound any one kernel's)");
    }

    private static string PtxType(KernelArgKind kind) => kind switch
    {
        KernelArgKind.Pointer or KernelArgKind.Int64 or KernelArgKind.UInt64 => "u64",
        KernelArgKind.Int32 => "u32",
        KernelArgKind.Float32 => "f32",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The clang driver and what it supports.</summary>
    internal sealed partial class Clang(string path, string version)
    {
        private readonly Dictionary<string, bool> _supported = [];

        public string Path { get; } = path;

        public string Version { get; } = version;

        /// <summary>
        /// Device-only CUDA to PTX without the toolkit (no CUDA headers or libdevice), C++17 as NVRTC is given
        /// (KernelCache.CompileOptions), optimised as NVRTC does by default, every warning an error.
        /// </summary>
        public static string[] Options(string architecture) =>
        [
            "-x", "cuda", "--cuda-device-only", $"--cuda-gpu-arch={architecture}", "-nocudainc", "-nocudalib", "-std=c++17", "-O3",
            "-Wall", "-Wextra", "-Werror", "-include", "nvrtc_builtins.cuh", "-S",
        ];

        [GeneratedRegex(@"clang version (\d+)[\d.]*")]
        private static partial Regex VersionLine();

        /// <summary>
        /// The newest clang on PATH: Debian's default clang (14) stops at sm_86, so a versioned clang++-N (CI installs
        /// clang-16, the first to know sm_90) is preferred over the unversioned driver.
        /// </summary>
        public static Clang? Find()
        {
            Clang? newest = null;
            int newestMajor = -1;
            var names = Enumerable.Range(14, 20).Reverse().Select(major => $"clang++-{major}").Concat(["clang++", "clang"]);
            foreach (var name in names)
            {
                if (KernelEmulator.FindOnPath(name) is not { } path) continue;
                var (code, text) = KernelEmulator.Run(path, Environment.CurrentDirectory, ["--version"]);
                var version = VersionLine().Match(text);
                if (code != 0 || !version.Success) continue;
                int major = int.Parse(version.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                if (major > newestMajor) (newest, newestMajor) = (new Clang(path, version.Value), major);
            }
            return newest;
        }

        /// <summary>Whether this clang compiles CUDA for the architecture (an empty kernel as the probe).</summary>
        public bool Supports(string architecture)
        {
            lock (_supported)
            {
                if (_supported.TryGetValue(architecture, out bool known)) return known;
                string folder = Directory.CreateTempSubdirectory("retain-clang-probe-").FullName;
                try
                {
                    File.WriteAllText(System.IO.Path.Combine(folder, "probe.cu"), "extern \"C\" __attribute__((global)) void probe() {}\n");
                    var (code, log) = KernelEmulator.Run(Path, folder, ["-x", "cuda", "--cuda-device-only", $"--cuda-gpu-arch={architecture}", "-nocudainc", "-nocudalib", "-S", "-o", "probe.ptx", "probe.cu"]);
                    bool supported = code == 0 || !log.Contains("unsupported CUDA gpu architecture", StringComparison.Ordinal);
                    return _supported[architecture] = supported;
                }
                finally
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }
}

/// <summary>A theory that compiles CUDA with clang; skipped (with the reason) where no clang is installed.</summary>
public sealed class ClangTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> without clang.</summary>
    public ClangTheoryAttribute()
    {
        if (KernelEmulator.FindOnPath("clang++") is null && KernelEmulator.FindOnPath("clang") is null)
        {
            Skip = "no clang on PATH to compile the CUDA kernels (apt-get install clang; .ci/run installs it)";
        }
    }
}
