using System.Text.Json;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Kernel.Diagnostics;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Testing;

namespace Retain.Cuda.Tests.Gpu;

/// <summary>
/// The CUDA backend on a real GPU: every op against the CPU backend, full training steps against the committed
/// PyTorch float64 fixtures, generation against the llama2.c golden ids. Skipped (with the reason) without a GPU.
/// </summary>
public class GpuTests
{
    private static CpuBackend Cpu() => new(new CpuBackendOptions { Threads = 2, Gemm = GemmProvider.Managed });

    private static CudaBackend Cuda(CudaMatmulPrecision precision) => CudaBackend.Create(new CudaBackendOptions { Matmul = precision });

    private static void AllPass(IReadOnlyList<OpComparison> results) =>
        results.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Output}: {r.RelativeError:E2} > {r.Tolerance:E0} {r.Error}").ShouldBeEmpty();

    [GpuFact]
    public void Every_op_matches_the_cpu_backend_in_fp32()
    {
        using var cpu = Cpu();
        using var cuda = Cuda(CudaMatmulPrecision.Fp32);
        AllPass(new BackendComparison(cpu, cuda).Run());
    }

    [GpuFact]
    public void Every_op_matches_the_cpu_backend_with_bf16_gemms()
    {
        using var cpu = Cpu();
        using var cuda = Cuda(CudaMatmulPrecision.Bf16);
        AllPass(new BackendComparison(cpu, cuda, new BackendComparisonOptions { MatmulTolerance = 1e-2 }).Run());
    }

    [GpuFact]
    public void A_training_step_matches_the_pytorch_float64_fixtures()
    {
        foreach (var (precision, tolerance) in new[] { (CudaMatmulPrecision.Fp32, 1e-4), (CudaMatmulPrecision.Bf16, 5e-2) })
        {
            using var cuda = Cuda(precision);
            foreach (var name in new[] { "stories260K", "llama3", "qwen2", "qwen3", "gemma3" })
            {
                string fixture = TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", name);
                string modelDirectory = name == "stories260K" ? TestPaths.SharedFile("models", "stories260K") : fixture;
                using var model = Checkpoint.Load(modelDirectory, cuda);
                var result = DebugTraining.Run(model, DebugBatch.Load(Path.Combine(fixture, "batch.json")), new DebugTrainingOptions());
                using var expected = SafetensorsFile.Open(Path.Combine(fixture, "expected.safetensors"));
                double loss = expected.ReadFloat32("loss")[0];
                Math.Abs(result.Losses[0] - loss).ShouldBeLessThan(tolerance * Math.Abs(loss), $"{name} {precision} loss");
                foreach (var (tensor, _, values) in result.FirstGradients)
                {
                    BackendComparison.RelativeError(expected.ReadFloat32("grad." + tensor), values).ShouldBeLessThan(tolerance, $"{name} {precision} {tensor}");
                }
            }
        }
    }

    [GpuFact]
    public void Greedy_generation_on_the_gpu_reproduces_the_llama2c_ids()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        var c = doc.RootElement.GetProperty("cases")[0];
        var prompt = c.GetProperty("prompt_ids_with_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = c.GetProperty("all_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()[prompt.Length..];
        using var cuda = Cuda(CudaMatmulPrecision.Fp32);
        using var model = Checkpoint.Load(TestPaths.SharedFile("models", "stories260K"), cuda);
        var output = new Generator(model, maxBatch: 2).Generate([new GenerationInput(prompt, expected.Length, SamplingOptions.Greedy, [])])[0];
        output.Tokens.ShouldBe(expected);
    }

    [GpuFact]
    public void Index_errors_found_by_kernels_raise_the_cpu_backends_exception()
    {
        using var cuda = Cuda(CudaMatmulPrecision.Fp32);
        using var table = cuda.Allocate(10 * 4);
        using var ids = cuda.AllocateInt(3);
        using var output = cuda.Allocate(3 * 4);
        cuda.Upload([1, 12, 2], ids.View);
        cuda.EmbeddingForward(output.View, table.View, ids.View, 3, 4, 1f);
        Should.Throw<ArgumentOutOfRangeException>(cuda.Synchronize).Message.ShouldStartWith("Token id 12 at row 1 is outside the vocabulary of 10.");
        cuda.Synchronize();
    }

    [GpuFact]
    public void Asking_for_more_memory_than_the_gpu_has_is_a_clear_error()
    {
        using var cuda = Cuda(CudaMatmulPrecision.Fp32);
        var error = Should.Throw<CudaOutOfMemoryException>(() => cuda.Allocate(1L << 40));
        error.Message.ShouldContain("could not allocate 4.00 TiB");
        error.FreeBytes.ShouldBeGreaterThan(0);
    }

    [GpuFact]
    public void Compiled_kernels_are_cached_on_disk_and_reused()
    {
        using var folder = new TempFolder();
        var options = new CudaBackendOptions { Matmul = CudaMatmulPrecision.Fp32, KernelCacheDirectory = folder.Path };
        using (var cuda = CudaBackend.Create(options))
        {
            using var x = cuda.Allocate(100);
            cuda.Scale(x.View, 2f);
            cuda.Synchronize();
        }
        bool precompiled = Retain.Kernel.Backends.Cuda.Compilation.KernelSources.PrecompiledArchitectures().Count > 0;
        if (!precompiled) Directory.GetFiles(folder.Path, "elementwise.sm_*.cubin").Length.ShouldBe(1);
        using var again = CudaBackend.Create(options);
        using var y = again.Allocate(100);
        again.Scale(y.View, 2f);
        again.Synchronize();
        if (!precompiled) Directory.GetFiles(folder.Path, "elementwise.sm_*.cubin").Length.ShouldBe(1);
    }

    [GpuFact]
    public void The_factory_opens_the_gpu_by_name()
    {
        using var backend = BackendFactory.Create("cuda:0", new BackendFactoryOptions { CudaMatmul = CudaMatmulPrecision.Tf32 });
        backend.Name.ShouldStartWith("cuda:0 (");
        backend.Name.ShouldEndWith(", tf32 matmul)");
    }
}
