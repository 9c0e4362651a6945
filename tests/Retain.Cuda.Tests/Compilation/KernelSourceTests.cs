using System.Text.RegularExpressions;
using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Memory;

namespace Retain.Cuda.Tests.Compilation;

public partial class KernelSourceTests
{
    [GeneratedRegex(@"extern\s+""C""\s+__global__\s+void\s+(\w+)\s*\(([^)]*)\)")]
    private static partial Regex KernelSignature();

    /// <summary>Every exported kernel of every module: name → (module, parameter kinds).</summary>
    private static Dictionary<string, (string Module, KernelArgKind[] Parameters)> KernelsInSources()
    {
        var kernels = new Dictionary<string, (string, KernelArgKind[])>();
        foreach (var module in KernelSources.ModuleNames)
        {
            string source = StripComments(KernelSources.Module(module).Source);
            foreach (Match match in KernelSignature().Matches(source))
            {
                var parameters = match.Groups[2].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(Kind).ToArray();
                kernels.Add(match.Groups[1].Value, (module, parameters));
            }
        }
        return kernels;
    }

    /// <summary>The kind of a C parameter declaration such as <c>const float* x</c> or <c>long long n</c>.</summary>
    private static KernelArgKind Kind(string declaration)
    {
        string type = Regex.Replace(declaration, @"\s*\w+$", "").Replace("const ", "").Trim();
        if (type.Contains('*')) return KernelArgKind.Pointer;
        return type switch
        {
            "int" => KernelArgKind.Int32,
            "long long" => KernelArgKind.Int64,
            "float" => KernelArgKind.Float32,
            "unsigned long long" => KernelArgKind.UInt64,
            _ => throw new InvalidOperationException($"Kernel parameter '{declaration}' has a type the launcher cannot pass."),
        };
    }

    private static string StripComments(string source) =>
        Regex.Replace(Regex.Replace(source, @"/\*.*?\*/", " ", RegexOptions.Singleline), @"//[^\n]*", " ");

    [Fact]
    public void The_sources_are_embedded_one_module_per_op_family()
    {
        KernelSources.ModuleNames.ShouldBe(
            ["activation", "adamw", "attention", "cross_entropy", "dropout", "elementwise", "embedding", "linear", "reduce", "rmsnorm", "rope", "rows"],
            ignoreOrder: false);
        KernelSources.Module("rmsnorm").Headers.Keys.ShouldBe(["common.cuh"]);
    }

    [Fact]
    public void Every_kernel_the_backend_launches_exists_in_its_module_with_the_same_parameters()
    {
        var inSources = KernelsInSources();
        CudaKernels.All.Count.ShouldBeGreaterThan(25);
        foreach (var kernel in CudaKernels.All)
        {
            inSources.ShouldContainKey(kernel.Name, $"{kernel} is launched but not defined in any .cu file");
            var (module, parameters) = inSources[kernel.Name];
            module.ShouldBe(kernel.Module, $"{kernel.Name} lives in {module}.cu");
            parameters.ShouldBe(kernel.Parameters.ToArray(), $"parameters of {kernel.Name}");
        }
    }

    [Fact]
    public void Every_kernel_in_the_sources_is_launched_by_the_backend()
    {
        var launched = CudaKernels.All.Select(k => k.Name).ToHashSet();
        KernelsInSources().Keys.Where(name => !launched.Contains(name)).ShouldBeEmpty();
        CudaKernels.All.Select(k => k.Name).Distinct().Count().ShouldBe(CudaKernels.All.Count);
    }

    [Fact]
    public void Sources_are_balanced_and_include_only_the_embedded_header()
    {
        foreach (var module in KernelSources.ModuleNames.Select(KernelSources.Module))
        {
            foreach (var (file, text) in module.Headers.Append(new KeyValuePair<string, string>(module.Name + ".cu", module.Source)))
            {
                string code = StripComments(text);
                foreach (var (open, close) in new[] { ('{', '}'), ('(', ')'), ('[', ']') })
                {
                    int depth = 0;
                    foreach (char c in code)
                    {
                        if (c == open) depth++;
                        if (c == close) depth--;
                        depth.ShouldBeGreaterThanOrEqualTo(0, $"{file}: unbalanced '{close}'");
                    }
                    depth.ShouldBe(0, $"{file}: unbalanced '{open}'");
                }
                // No CUDA or system headers: NVRTC compiles them without a toolkit's include folder.
                foreach (Match include in Regex.Matches(code, @"#include\s*([<""])([^>""]+)[>""]"))
                {
                    include.Groups[1].Value.ShouldBe("\"", $"{file} includes <{include.Groups[2].Value}>");
                    module.Headers.Keys.ShouldContain(include.Groups[2].Value, $"{file} includes a header that is not embedded");
                }
            }
            module.Source.ShouldContain("#include \"common.cuh\"");
        }
    }

    [Fact]
    public void No_kernel_uses_warp_level_operations_the_emulator_does_not_model()
    {
        // The emulator runs a block's threads one at a time between barriers; shuffles, votes, warp barriers and
        // lock-step assumptions need warps modelled there (cuda_emulator.h) before a kernel may use them.
        foreach (var module in KernelSources.ModuleNames.Select(KernelSources.Module))
        {
            foreach (var (file, text) in module.Headers.Append(new KeyValuePair<string, string>(module.Name + ".cu", module.Source)))
            {
                Regex.Matches(StripComments(text), @"\b(__shfl\w*|__syncwarp|__ballot\w*|__any_sync|__all_sync|__activemask|__match_\w+|__reduce_\w+_sync|warpSize|__threadfence\w*|cooperative_groups)\b")
                    .Select(m => m.Value).ShouldBeEmpty($"{file} uses warp-level or grid-level operations");
            }
        }
    }

    [Fact]
    public void Host_constants_match_the_kernel_headers()
    {
        string common = KernelSources.Module("rope").Headers["common.cuh"];
        Regex.Match(common, @"#define RETAIN_BLOCK (\d+)").Groups[1].Value.ShouldBe(CudaKernels.Block.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var codes = Regex.Matches(common, @"#define RETAIN_ERR_(\w+) (\d+)").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        codes.ShouldBe(new Dictionary<string, int>
        {
            ["TOKEN_ID"] = DeviceErrors.TokenId,
            ["POSITION"] = DeviceErrors.Position,
            ["TARGET"] = DeviceErrors.Target,
            ["ROW_INDEX"] = DeviceErrors.RowIndex,
            ["CACHE_SLOT"] = DeviceErrors.CacheSlot,
            ["KEY_START"] = DeviceErrors.KeyStart,
        }, ignoreOrder: true);
    }

    [Fact]
    public void Device_index_errors_become_the_cpu_backends_messages()
    {
        DeviceErrors.ToException([0, 0, 0, 0, 0, 0, 0, 0]).ShouldBeNull();
        var tokenId = DeviceErrors.ToException([DeviceErrors.TokenId, 5, 70000, 32000, 0, 0, 0, 0])!;
        tokenId.ParamName.ShouldBe("ids");
        tokenId.Message.ShouldStartWith("Token id 70000 at row 5 is outside the vocabulary of 32000.");
        DeviceErrors.ToException([DeviceErrors.KeyStart, 1, 9, 12, 0, 0, 0, 0])!.Message.ShouldStartWith("Key start 12 of token 9 in row 1 must lie in [0, 9].");
        DeviceErrors.ToException([DeviceErrors.Target, 2, -1, 100, 0, 0, 0, 0])!.Message.ShouldStartWith("Target -1 at row 2 is outside the vocabulary of 100.");
    }
}
