using System.Text.Json;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Diagnostics;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Testing;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// The CUDA backend with its real kernel sources compiled for the CPU emulator (cuda_emulator.h) and GEMMs done by the
/// fake device: the kernels' indexing, masks, reductions and barriers against the CPU backend and PyTorch, without a
/// GPU. Every launch runs under the shared-memory checker with poisoned memory, its threads in a random order drawn
/// anew per barrier interval and its blocks shuffled (EmulatorOptions); the fp32 comparison also re-runs every launch
/// under the other schedules and requires identical bits. What stays for a GPU: NVRTC, cuBLAS itself, the driver,
/// memory-model and performance behaviour.
/// </summary>
public class EmulatedKernelTests
{
    private static CpuBackend Cpu() => new(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });

    private static void AllPass(IReadOnlyList<OpComparison> results) =>
        results.Where(r => !r.Passed).Select(r => $"{r.Op} {r.Output}: {r.RelativeError:E2} > {r.Tolerance:E0} {r.Error}").ShouldBeEmpty();

    [EmulatorFact]
    public void Every_op_matches_the_cpu_backend_in_fp32_under_every_schedule()
    {
        using var cpu = Cpu();
        using var cuda = KernelEmulator.Backend(options: EmulatorOptions.EverySchedule);
        AllPass(new BackendComparison(cpu, cuda).Run());
    }

    [EmulatorFact]
    public void Every_op_matches_the_cpu_backend_with_bf16_operands()
    {
        using var cpu = Cpu();
        using var cuda = KernelEmulator.Backend(CudaMatmulPrecision.Bf16);
        var results = new BackendComparison(cpu, cuda, new BackendComparisonOptions { MatmulTolerance = 1e-2 }).Run();
        AllPass(results);
        // bf16 operands really are rounded (the cast kernel ran): the dense GEMMs differ from fp32 by more than fp32 noise.
        results.Where(r => r.Op.StartsWith("Gemm (", StringComparison.Ordinal)).Max(r => r.RelativeError).ShouldBeGreaterThan(1e-4);
    }

    [EmulatorFact]
    public void A_training_step_matches_the_pytorch_float64_fixtures()
    {
        using var cuda = KernelEmulator.Backend();
        foreach (var name in new[] { "stories260K", "llama3", "qwen2", "qwen3", "gemma3" })
        {
            string fixture = TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", name);
            string modelDirectory = name == "stories260K" ? TestPaths.SharedFile("models", "stories260K") : fixture;
            using var model = Checkpoint.Load(modelDirectory, cuda);
            var result = DebugTraining.Run(model, DebugBatch.Load(Path.Combine(fixture, "batch.json")), new DebugTrainingOptions());
            using var expected = SafetensorsFile.Open(Path.Combine(fixture, "expected.safetensors"));
            double loss = expected.ReadFloat32("loss")[0];
            Math.Abs(result.Losses[0] - loss).ShouldBeLessThan(1e-4 * Math.Abs(loss), $"{name} loss");
            BackendComparison.RelativeError(expected.ReadFloat32("nll"), result.FirstNll).ShouldBeLessThan(1e-4, $"{name} nll");
            result.FirstGradients.Count.ShouldBe(model.Parameters.Tensors.Count);
            foreach (var (tensor, _, values) in result.FirstGradients)
            {
                BackendComparison.RelativeError(expected.ReadFloat32("grad." + tensor), values).ShouldBeLessThan(1e-4, $"{name} {tensor}");
            }
        }
    }

    [EmulatorFact]
    public void Greedy_generation_through_the_kv_cache_reproduces_the_llama2c_ids()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        var c = doc.RootElement.GetProperty("cases")[0];
        var prompt = c.GetProperty("prompt_ids_with_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = c.GetProperty("all_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray()[prompt.Length..];
        using var cuda = KernelEmulator.Backend();
        using var model = Checkpoint.Load(TestPaths.SharedFile("models", "stories260K"), cuda);
        var output = new Generator(model, maxBatch: 2).Generate([new GenerationInput(prompt, Math.Min(40, expected.Length), SamplingOptions.Greedy, [])])[0];
        output.Tokens.ShouldBe(expected.Take(Math.Min(40, expected.Length)).ToArray());
    }

    [EmulatorFact]
    public void A_token_id_outside_the_vocabulary_is_reported_like_the_cpu_backend_does()
    {
        using var cuda = KernelEmulator.Backend();
        using var table = cuda.Allocate(10 * 4);
        using var ids = cuda.AllocateInt(3);
        using var output = cuda.Allocate(3 * 4);
        cuda.Upload([1, 12, 2], ids.View);
        cuda.EmbeddingForward(output.View, table.View, ids.View, 3, 4, 1f);
        Should.Throw<ArgumentOutOfRangeException>(cuda.Synchronize).Message.ShouldStartWith("Token id 12 at row 1 is outside the vocabulary of 10.");
        cuda.Synchronize();
    }

    [EmulatorFact]
    public void Packed_sequences_and_sliding_windows_reject_a_key_start_after_its_token()
    {
        using var cuda = KernelEmulator.Backend();
        const int T = 4, heads = 1, hd = 2;
        using var q = cuda.Allocate(T * heads * hd);
        using var output = cuda.Allocate(T * heads * hd);
        using var starts = cuda.AllocateInt(T);
        cuda.Upload([0, 0, 3, 1], starts.View);
        cuda.AttentionForward(output.View, Retain.Kernel.Backends.BufferView<float>.None, q.View, q.View, q.View, starts.View, 1, T, heads, heads, hd, 1f, false);
        Should.Throw<ArgumentOutOfRangeException>(cuda.Synchronize).Message.ShouldStartWith("Key start 3 of token 2 in row 0 must lie in [0, 2].");
    }
}
