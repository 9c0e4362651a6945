using System.Text.RegularExpressions;
using Retain.Cuda.Tests.Emulation;
using Retain.Cuda.Tests.Fakes;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Kernel.Diagnostics;
using Retain.Testing;

namespace Retain.Cuda.Tests.Discovery;

/// <summary>
/// Every function pointer the Interop classes bind (<c>(delegate* unmanaged&lt;…&gt;)library.Export("symbol")</c>) against
/// the prototypes of two CUDA releases: CUDA 12.6.3's own headers (excerpts of cuda.h, cublas_api.h, nvrtc.h,
/// library_types.h and driver_types.h in Fixtures/CudaHeaders, cut by extract_excerpts.py) and CUDA 13.0.0 as NVIDIA's
/// generated Cython bindings declare it (Fixtures/CudaHeaders/cuda13, cut by extract_cuda13.py from NVIDIA/cuda-python,
/// generated from the 13.0.0 headers, and NVIDIA/nvmath-python for cuBLAS; no public repository carries CUDA 13's
/// cuda.h). The source and revision head each excerpt. The symbol must be the ABI name the release binds the API name
/// to (<c>#define cuMemAlloc cuMemAlloc_v2</c>; <c>{{if 'cuMemAlloc_v2' in found_functions}}</c>) and, for CUDA 13, one
/// its loader resolves by that name; the argument count equal, and each argument and the result of the same size and
/// register class (pointers may be passed as nint/ulong; a pointer's pointee must match unless it is void). The enum
/// values the C# side hard-codes and the result codes it names are checked against both releases' enumerators, and the
/// cuBLAS type combinations the backend issues against cuBLAS's documented table.
/// </summary>
public partial class InteropHeaderTests
{
    private static string Fixture(params string[] path) => TestPaths.RepoFile(["tests", "Retain.Cuda.Tests", "Fixtures", "CudaHeaders", .. path]);

    private static readonly string[] Headers = ["cuda.h", "cublas_api.h", "nvrtc.h", "library_types.h", "driver_types.h"];

    private static readonly string[] Cuda13Bindings =
        ["cydriver.pxd.in", "cydriver.pyx.in", "cynvrtc.pxd.in", "cynvrtc.pyx.in", "cyruntime_types.pxi.in", "cycublas.pxd", "cublas_linux.pyx"];

    private static readonly Dictionary<string, Lazy<CudaDeclarations>> Releases = new()
    {
        ["12.6.3"] = new(() => CudaDeclarations.FromHeaders("12.6.3", Headers.Select(h => Fixture(h + ".excerpt")))),
        ["13.0.0"] = new(() => CudaDeclarations.FromCython("13.0.0", Cuda13Bindings.Select(f => Fixture("cuda13", f + ".excerpt")))),
    };

    public static TheoryData<string> Versions => [.. Releases.Keys];

    [GeneratedRegex(@"\(delegate\*\s*unmanaged<([^>]*)>\)\s*\w+\.Export\(""(\w+)""\)")]
    private static partial Regex Binding();

    /// <summary>(file, symbol, C# types with the result last) of every binding in the Interop folder.</summary>
    private static List<(string File, string Symbol, string[] Types)> Bindings()
    {
        var folder = TestPaths.RepoFile("src", "Retain.Kernel", "Backends", "Cuda", "Interop");
        return Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal)
            .SelectMany(file => Binding().Matches(File.ReadAllText(file)).Select(m =>
                (Path.GetFileName(file), m.Groups[2].Value, m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries))))
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void Every_bound_symbol_has_the_prototype_of_the_cuda_release(string version)
    {
        var bindings = Bindings();
        bindings.Count.ShouldBeGreaterThan(35);
        Problems(Releases[version].Value, bindings).ShouldBeEmpty();
    }

    /// <summary>What is wrong with each binding against one release's declarations, one sentence each.</summary>
    private static List<string> Problems(CudaDeclarations release, IEnumerable<(string File, string Symbol, string[] Types)> bindings)
    {
        var problems = new List<string>();
        string cuda = "CUDA " + release.Version;
        foreach (var (file, symbol, types) in bindings)
        {
            if (release.Macros.TryGetValue(symbol, out var abi) && abi != symbol)
            {
                problems.Add($"{file}: {symbol} is the legacy symbol; {cuda} binds {symbol} to {abi}");
                continue;
            }
            var prototype = release.Prototypes.FirstOrDefault(p => p.Name == symbol || release.Macros.GetValueOrDefault(p.Name) == symbol);
            if (prototype is null)
            {
                string api = Regex.Replace(symbol, @"_v\d+$", "");
                problems.Add(release.Macros.TryGetValue(api, out var current)
                    ? $"{file}: {symbol} is not in {cuda}, which binds {api} to {current} (a changed ABI: check its new prototype)"
                    : $"{file}: no prototype of {symbol} in the {cuda} excerpts (add it to the extraction script and rerun it)");
                continue;
            }
            if (release.Exports is { } exports && !exports.Contains(symbol))
            {
                problems.Add($"{file}: {symbol} is not a symbol {cuda}'s loader resolves with dlsym");
            }
            var parameters = types[..^1];
            if (parameters.Length != prototype.Parameters.Count)
            {
                problems.Add($"{file}: {symbol} takes {prototype.Parameters.Count} arguments in {cuda} ({prototype.Source}), the binding passes {parameters.Length}");
                continue;
            }
            for (int i = 0; i < parameters.Length; i++)
            {
                string c = release.Shape(prototype.Parameters[i]);
                if (!Compatible(c, ManagedShape(parameters[i]), top: true))
                {
                    problems.Add($"{file}: {symbol} argument {i}: '{prototype.Parameters[i]}' ({c}) in {cuda} is bound as {parameters[i]} ({ManagedShape(parameters[i])})");
                }
            }
            string result = release.Shape(prototype.Result);
            if (!Compatible(result, ManagedShape(types[^1]), top: true))
            {
                problems.Add($"{file}: {symbol} returns '{prototype.Result}' ({result}) in {cuda}, bound as {types[^1]}");
            }
        }
        return problems;
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public void The_enum_values_the_bindings_pass_are_the_cuda_release(string version)
    {
        var e = Releases[version].Value.Enumerators;
        ((int)CudaDataType.Float32).ShouldBe(e["CUDA_R_32F"]);
        ((int)CudaDataType.BFloat16).ShouldBe(e["CUDA_R_16BF"]);
        ((int)CublasComputeType.Float32).ShouldBe(e["CUBLAS_COMPUTE_32F"]);
        ((int)CublasComputeType.Float32FastBf16).ShouldBe(e["CUBLAS_COMPUTE_32F_FAST_16BF"]);
        ((int)CublasComputeType.Float32FastTf32).ShouldBe(e["CUBLAS_COMPUTE_32F_FAST_TF32"]);
        CudaDriver.AttributeMultiprocessorCount.ShouldBe(e["CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"]);
        CudaDriver.AttributeComputeCapabilityMajor.ShouldBe(e["CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR"]);
        CudaDriver.AttributeComputeCapabilityMinor.ShouldBe(e["CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR"]);
        CudaDriver.ErrorOutOfMemory.ShouldBe(e["CUDA_ERROR_OUT_OF_MEMORY"]);
        CudaDriver.ErrorStubLibrary.ShouldBe(e["CUDA_ERROR_STUB_LIBRARY"]);
        CudaDriver.ErrorNoDevice.ShouldBe(e["CUDA_ERROR_NO_DEVICE"]);
        ((int)CudaDriver.StreamNonBlocking).ShouldBe(e["CU_STREAM_NON_BLOCKING"]);
        // Cublas.cs: CUBLAS_OP_N/T, CUBLAS_GEMM_DEFAULT and cublasGetProperty's MAJOR_VERSION/MINOR_VERSION/PATCH_LEVEL.
        string cublas = File.ReadAllText(TestPaths.RepoFile("src", "Retain.Kernel", "Backends", "Cuda", "Interop", "Cublas.cs"));
        cublas.ShouldContain($"OpN = {e["CUBLAS_OP_N"]}, OpT = {e["CUBLAS_OP_T"]};");
        cublas.ShouldContain($"GemmDefault = {e["CUBLAS_GEMM_DEFAULT"]};");
        cublas.ShouldContain($"_getProperty({e["MAJOR_VERSION"]}, &major)");
        cublas.ShouldContain($"_getProperty({e["MINOR_VERSION"]}, &minor)");
        cublas.ShouldContain($"_getProperty({e["PATCH_LEVEL"]}, &patch)");
    }

    /// <summary>
    /// Each result code CudaResultNames names has that value in every release that defines the name, and every name is
    /// defined by at least one release (NVRTC's codes 13–17 are newer than 12.6.3).
    /// </summary>
    [Fact]
    public void Every_named_result_code_is_the_value_the_cuda_releases_give_it()
    {
        var problems = new List<string>();
        foreach (var table in new[] { CudaResultNames.Driver, CudaResultNames.Nvrtc, CudaResultNames.Cublas })
        {
            foreach (var (code, name) in table)
            {
                var defined = Releases.Values.Select(r => r.Value).Where(r => r.Enumerators.ContainsKey(name)).ToList();
                if (defined.Count == 0) problems.Add($"{name} is in no release's result enum");
                problems.AddRange(defined.Where(r => r.Enumerators[name] != code).Select(r => $"{name} is {r.Enumerators[name]} in CUDA {r.Version}, named as {code}"));
            }
        }
        // Every CUresult CUDA 13 defines has a name, so no driver error prints as an unknown number.
        var cuda13 = Releases["13.0.0"].Value.Enumerators;
        problems.AddRange(cuda13.Where(e => e.Key.StartsWith("CUDA_ERROR_", StringComparison.Ordinal) || e.Key == "CUDA_SUCCESS")
            .Where(e => !CudaResultNames.Driver.ContainsKey(e.Value)).Select(e => $"CUresult {e.Value} ({e.Key}, CUDA 13.0.0) has no name in CudaResultNames.Driver"));
        problems.ShouldBeEmpty();
    }

    /// <summary>
    /// CUDA 13.0 gave cuCtxCreate (now cuCtxCreate_v4, with CUctxCreateParams), cuMemPrefetchAsync and cuMemAdvise
    /// (now _v2, with a CUmemLocation) and cuDeviceGetUuid (now _v2) new ABI symbols. The backend binds none of them;
    /// its binding check would report the CUDA 12 symbol of any of them as missing from CUDA 13.
    /// </summary>
    [Fact]
    public void A_binding_of_a_function_cuda_13_changed_is_reported()
    {
        var release = Releases["13.0.0"].Value;
        release.Macros["cuCtxCreate"].ShouldBe("cuCtxCreate_v4");
        release.Macros["cuMemPrefetchAsync"].ShouldBe("cuMemPrefetchAsync_v2");
        release.Macros["cuMemAdvise"].ShouldBe("cuMemAdvise_v2");
        release.Macros["cuDeviceGetUuid"].ShouldBe("cuDeviceGetUuid_v2");
        string[] changed = ["cuCtxCreate", "cuMemPrefetchAsync", "cuMemAdvise", "cuDeviceGetUuid"];
        Bindings().Select(b => Regex.Replace(b.Symbol, @"_v\d+$", "")).Intersect(changed).ShouldBeEmpty();

        // CUDA 12's cuMemPrefetchAsync (device ordinal, 4 arguments) and cuCtxCreate_v2, bound as CUDA 12 had them.
        var problems = Problems(release,
        [
            ("Planted.cs", "cuMemPrefetchAsync", ["ulong", "nuint", "int", "nint", "int"]),
            ("Planted.cs", "cuCtxCreate_v2", ["nint*", "uint", "int", "int"]),
            ("Planted.cs", "cuMemPrefetchAsync_v2", ["ulong", "nuint", "int", "nint", "int"]),
        ]);
        problems.ShouldBe(
        [
            "Planted.cs: cuMemPrefetchAsync is the legacy symbol; CUDA 13.0.0 binds cuMemPrefetchAsync to cuMemPrefetchAsync_v2",
            "Planted.cs: cuCtxCreate_v2 is not in CUDA 13.0.0, which binds cuCtxCreate to cuCtxCreate_v4 (a changed ABI: check its new prototype)",
            "Planted.cs: cuMemPrefetchAsync_v2 takes 5 arguments in CUDA 13.0.0 (cydriver.pxd.in), the binding passes 4",
        ]);
    }

    /// <summary>
    /// The real-valued rows of the cublasGemmEx table of supported combinations (cuBLAS documentation, CUDA 12.x,
    /// section "cublasGemmEx()", which cublasGemmStridedBatchedEx shares; https://docs.nvidia.com/cuda/cublas/#cublasgemmex),
    /// scale type CUDA_R_32F throughout: (compute type, A/B type, C type). Transcribed from the documentation, not
    /// machine-read.
    /// </summary>
    private static readonly (CublasComputeType Compute, string AB, string C)[] DocumentedCombinations =
    [
        (CublasComputeType.Float32, "CUDA_R_16BF", "CUDA_R_16BF"),
        (CublasComputeType.Float32, "CUDA_R_16F", "CUDA_R_16F"),
        (CublasComputeType.Float32, "CUDA_R_8I", "CUDA_R_32F"),
        (CublasComputeType.Float32, "CUDA_R_16BF", "CUDA_R_32F"),
        (CublasComputeType.Float32, "CUDA_R_16F", "CUDA_R_32F"),
        (CublasComputeType.Float32, "CUDA_R_32F", "CUDA_R_32F"),
        (CublasComputeType.Float32FastBf16, "CUDA_R_32F", "CUDA_R_32F"),
        (CublasComputeType.Float32FastTf32, "CUDA_R_32F", "CUDA_R_32F"),
    ];

    [EmulatorFact]
    public void Every_gemm_the_backend_issues_is_a_documented_cublas_combination()
    {
        var issued = new HashSet<(CublasComputeType, CudaDataType, CudaDataType)>();
        foreach (var precision in Enum.GetValues<CudaMatmulPrecision>())
        {
            var device = new RecordingDevice(executor: new EmulatedLaunches(new EmulatorOptions { Run = new(EmulatorSchedule.Forward, EmulatorBlockOrder.Grid), CheckSharedMemory = false }).Execute);
            using var cuda = new CudaBackend(device, new CudaBackendOptions { Matmul = precision });
            using var cpu = new CpuBackend(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });
            new BackendComparison(cpu, cuda).Run();
            device.Gemms.ShouldNotBeEmpty();
            foreach (var g in device.Gemms)
            {
                g.AType.ShouldBe(g.BType, "A and B share one type in every documented real combination");
                issued.Add((g.Compute, g.AType, g.BType));
            }
        }
        string Name(CudaDataType type) => type == CudaDataType.Float32 ? "CUDA_R_32F" : "CUDA_R_16BF";
        foreach (var (compute, a, _) in issued)
        {
            DocumentedCombinations.ShouldContain((compute, Name(a), "CUDA_R_32F"), $"{compute} with {Name(a)} operands and a CUDA_R_32F result");
        }
        issued.Count.ShouldBe(4, "fp32, tf32, bf16 operands, bf16-fast fp32 (attention scores)");
    }

    /// <summary>Size and class of a C# type: i4/i8 integers, f4 floats, p(…) pointers with their pointee.</summary>
    private static string ManagedShape(string type)
    {
        type = type.Trim();
        if (type.EndsWith('*')) return "p(" + ManagedShape(type[..^1]) + ")";
        return type switch
        {
            "int" or "uint" => "i4",
            "long" or "ulong" or "nint" or "nuint" => "i8",
            "short" or "ushort" => "i2",
            "byte" or "sbyte" => "i1",
            "float" => "f4",
            "double" => "f8",
            "void" => "void",
            _ => throw new InvalidOperationException($"Unexpected type '{type}' in a binding."),
        };
    }

    /// <summary>Whether a C shape may be passed as a C# shape: equal, a void pointee, or a pointer as a 64-bit integer.</summary>
    private static bool Compatible(string c, string managed, bool top)
    {
        if (c == managed) return true;
        if (c.StartsWith("p(", StringComparison.Ordinal))
        {
            if (managed == "i8") return true;
            if (!managed.StartsWith("p(", StringComparison.Ordinal)) return false;
            string inner = c[2..^1], managedInner = managed[2..^1];
            return inner == "void" || inner == "opaque" || Compatible(inner, managedInner, top: false);
        }
        return !top && c == "opaque";
    }
}
