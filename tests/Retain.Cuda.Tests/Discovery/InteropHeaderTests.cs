using System.Globalization;
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
/// the prototypes of CUDA's own headers: excerpts of cuda.h, cublas_api.h, nvrtc.h, library_types.h and
/// driver_types.h from CUDA 12.6.3 (Fixtures/CudaHeaders, cut by extract_excerpts.py; the source repository and
/// revision head each file). The symbol must be the ABI name the header binds (<c>#define cuMemAlloc cuMemAlloc_v2</c>),
/// the argument count equal, and each argument and the result of the same size and register class (pointers may be
/// passed as nint/ulong; a pointer's pointee must match unless it is void). The enum values the C# side hard-codes are
/// checked against the headers' enumerators, and the cuBLAS type combinations the backend issues against cuBLAS's
/// documented table.
/// </summary>
public partial class InteropHeaderTests
{
    private static readonly string[] Headers = ["cuda.h", "cublas_api.h", "nvrtc.h", "library_types.h", "driver_types.h"];

    private static readonly Lazy<HeaderSet> Parsed = new(() => HeaderSet.Load(Headers.Select(h => TestPaths.RepoFile("tests", "Retain.Cuda.Tests", "Fixtures", "CudaHeaders", h + ".excerpt"))));

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

    [Fact]
    public void Every_bound_symbol_has_the_prototype_of_the_cuda_12_headers()
    {
        var headers = Parsed.Value;
        var bindings = Bindings();
        bindings.Count.ShouldBeGreaterThan(35);
        var problems = new List<string>();
        foreach (var (file, symbol, types) in bindings)
        {
            if (headers.Macros.TryGetValue(symbol, out var abi) && abi != symbol)
            {
                problems.Add($"{file}: {symbol} is the legacy symbol; the header binds {symbol} to {abi}");
                continue;
            }
            var prototype = headers.Prototypes.FirstOrDefault(p => p.Name == symbol || headers.Macros.GetValueOrDefault(p.Name) == symbol);
            if (prototype is null)
            {
                problems.Add($"{file}: no prototype of {symbol} in the header excerpts (add it to extract_excerpts.py and rerun it)");
                continue;
            }
            var parameters = types[..^1];
            if (parameters.Length != prototype.Parameters.Count)
            {
                problems.Add($"{file}: {symbol} takes {prototype.Parameters.Count} arguments in {prototype.Header}, the binding passes {parameters.Length}");
                continue;
            }
            for (int i = 0; i < parameters.Length; i++)
            {
                string c = headers.Shape(prototype.Parameters[i]);
                if (!Compatible(c, ManagedShape(parameters[i]), top: true))
                {
                    problems.Add($"{file}: {symbol} argument {i}: '{prototype.Parameters[i]}' ({c}) is bound as {parameters[i]} ({ManagedShape(parameters[i])})");
                }
            }
            string result = headers.Shape(prototype.Result);
            if (!Compatible(result, ManagedShape(types[^1]), top: true))
            {
                problems.Add($"{file}: {symbol} returns '{prototype.Result}' ({result}), bound as {types[^1]}");
            }
        }
        problems.ShouldBeEmpty();
    }

    [Fact]
    public void The_enum_values_the_bindings_pass_are_the_headers()
    {
        var e = Parsed.Value.Enumerators;
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
        // Cublas.cs: CUBLAS_OP_N/T, CUBLAS_GEMM_DEFAULT and cublasGetProperty's MAJOR_VERSION/MINOR_VERSION/PATCH_LEVEL.
        string cublas = File.ReadAllText(TestPaths.RepoFile("src", "Retain.Kernel", "Backends", "Cuda", "Interop", "Cublas.cs"));
        cublas.ShouldContain($"OpN = {e["CUBLAS_OP_N"]}, OpT = {e["CUBLAS_OP_T"]};");
        cublas.ShouldContain($"GemmDefault = {e["CUBLAS_GEMM_DEFAULT"]};");
        cublas.ShouldContain($"_getProperty({e["MAJOR_VERSION"]}, &major)");
        cublas.ShouldContain($"_getProperty({e["MINOR_VERSION"]}, &minor)");
        cublas.ShouldContain($"_getProperty({e["PATCH_LEVEL"]}, &patch)");
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

    private sealed record Prototype(string Header, string Result, string Name, IReadOnlyList<string> Parameters);

    /// <summary>The declarations of the header excerpts.</summary>
    private sealed partial class HeaderSet
    {
        public Dictionary<string, string> Macros { get; } = [];
        public Dictionary<string, string> Typedefs { get; } = [];
        public HashSet<string> Enums { get; } = [];
        public Dictionary<string, int> Enumerators { get; } = [];
        public List<Prototype> Prototypes { get; } = [];

        [GeneratedRegex(@"^#define\s+(\w+)\s+(?:__CUDA_API_PTSZ\(|__CUDA_API_PTDS\()?(\w+)\)?\s*$")]
        private static partial Regex Macro();

        [GeneratedRegex(@"^\s*typedef\s+(?!enum\b)(.*?)\b(\w+)\s*;")]
        private static partial Regex Typedef();

        [GeneratedRegex(@"^\s*}\s*(\w+)\s*;")]
        private static partial Regex EnumEnd();

        [GeneratedRegex(@"^\s*(\w+)\s*(?:=\s*(-?\w+))?\s*,?\s*(?:/\*.*)?$")]
        private static partial Regex Enumerator();

        [GeneratedRegex(@"^(.*?)\b(\w+)\s*\((.*)\)\s*;$", RegexOptions.Singleline)]
        private static partial Regex PrototypeStatement();

        public static HeaderSet Load(IEnumerable<string> files)
        {
            var set = new HeaderSet();
            foreach (var file in files)
            {
                string header = Path.GetFileNameWithoutExtension(file);
                var lines = File.ReadAllLines(file).Where(l => !l.StartsWith("// ", StringComparison.Ordinal)).Select(l => Regex.Replace(l, @"/\*.*?\*/|//.*$", "")).ToArray();
                int? enumNext = null;
                for (int i = 0; i < lines.Length; i++)
                {
                    string line = lines[i];
                    if (Regex.IsMatch(line, @"^\s*typedef\s+enum\b"))
                    {
                        enumNext = 0;
                        continue;
                    }
                    if (EnumEnd().Match(line) is { Success: true } end)
                    {
                        set.Enums.Add(end.Groups[1].Value);
                        enumNext = null;
                        continue;
                    }
                    if (enumNext is not null)
                    {
                        if (line.Trim() is "{" or "") continue;
                        var m = Enumerator().Match(line);
                        if (!m.Success) continue;
                        // Excerpts keep an enum's every line only where values are implicit, so only then count.
                        int value = m.Groups[2].Success ? ParseValue(m.Groups[2].Value) : enumNext.Value;
                        set.Enumerators[m.Groups[1].Value] = value;
                        enumNext = value + 1;
                        continue;
                    }
                    if (Macro().Match(line) is { Success: true } macro)
                    {
                        set.Macros[macro.Groups[1].Value] = macro.Groups[2].Value;
                        continue;
                    }
                    if (Typedef().Match(line) is { Success: true } typedef)
                    {
                        set.Typedefs[typedef.Groups[2].Value] = typedef.Groups[1].Value.Replace("__device_builtin__", "").Trim();
                        continue;
                    }
                    if (line.Contains('(') && !line.StartsWith('#'))
                    {
                        string statement = line;
                        while (!statement.Contains(';')) statement += " " + lines[++i];
                        var p = PrototypeStatement().Match(statement.Trim());
                        if (!p.Success) throw new InvalidOperationException($"{file}: cannot read '{statement.Trim()}'");
                        var parameters = p.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                        string result = Regex.Replace(p.Groups[1].Value, @"\b(CUDAAPI|CUBLASAPI|CUBLASWINAPI)\b", "").Trim();
                        set.Prototypes.Add(new Prototype(header, result, p.Groups[2].Value, parameters));
                    }
                }
            }
            return set;
        }

        private static int ParseValue(string text) =>
            text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? int.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture) : int.Parse(text, CultureInfo.InvariantCulture);

        /// <summary>A C declaration ("const char * const *headers", "CUdeviceptr dptr") as a shape like ManagedShape's.</summary>
        public string Shape(string declaration)
        {
            string text = Regex.Replace(declaration, @"\bconst\b", " ");
            int pointers = text.Count(c => c == '*');
            var words = text.Replace("*", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            // Drop the parameter name: the last word when the words before it already make a type.
            if (words.Count > 1 && !IsTypeWord(words[^1], words)) words.RemoveAt(words.Count - 1);
            string shape = BaseShape(string.Join(' ', words));
            for (int i = 0; i < pointers; i++) shape = "p(" + shape + ")";
            return shape;
        }

        private static readonly HashSet<string> CWords = ["unsigned", "signed", "long", "int", "short", "char", "float", "double", "void", "struct"];

        private bool IsTypeWord(string word, List<string> words) =>
            CWords.Contains(word) || (words.Count >= 2 && words[^2] == "struct");

        private string BaseShape(string type) => type switch
        {
            "int" or "unsigned int" or "unsigned" or "signed int" => "i4",
            "long long" or "long long int" or "unsigned long long" or "unsigned long long int" or "size_t" => "i8",
            "char" or "unsigned char" or "signed char" => "i1",
            "float" => "f4",
            "double" => "f8",
            "void" => "void",
            _ when type.StartsWith("struct ", StringComparison.Ordinal) => "opaque",
            _ when Enums.Contains(type) => "i4",
            _ when Typedefs.TryGetValue(type, out var target) => Shape(target),
            _ => throw new InvalidOperationException($"The header excerpts do not define the type '{type}'."),
        };
    }
}
