using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Diagnostics;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Testing;
using Retain.Training;

namespace Retain.Cuda.Tests.Emulation;

/// <summary>
/// Whole training sessions on the emulated CUDA backend against the CPU backend: LoRA with dropout (dropout masks,
/// multiply-accumulate, low-rank GEMMs), packed micro-batches with gradient accumulation, logits computed in chunks
/// and recomputed in the backward, global-norm clipping folded into AdamW.
/// </summary>
public class EmulatedTrainingTests
{
    private sealed class Lora : IModelAdapter
    {
        public void Configure(IAdapterBuilder builder)
        {
            builder.FreezeBaseModel();
            builder.AddLowRank(new LowRankSpec(["q_proj", "v_proj", "down_proj"], 4, 8, 0.1f, 5));
        }

        public void Export(IAdapterExport export)
        {
        }
    }

    private static TrainingSequence[] Sequences(int count, int vocab, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(e =>
        {
            int length = rng.Next(8, 25);
            var ids = Enumerable.Range(0, length).Select(t => t == 0 ? 1 : rng.Next(3, vocab)).ToArray();
            int prompt = rng.Next(1, length / 2 + 1);
            return new TrainingSequence(ids, Enumerable.Range(0, length).Select(t => t >= prompt).ToArray(), e);
        }).ToArray();
    }

    private static (List<StepResult> Steps, float[] Values) Train(IBackend backend, string fixture, bool lora)
    {
        // A small logits budget forces the chunked loss and the backward's logit recomputation.
        using var model = Checkpoint.Load(TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", fixture), backend, new ModelOptions { LogitsBudget = 100 * 24 });
        var options = new TrainingOptions { LearningRate = 3e-3, TotalSteps = 2, WarmupSteps = 1, MaxGradNorm = 0.5, WeightDecay = 0.01, Seed = 11 };
        using var session = new TrainingSession(model, options, lora ? [new Lora()] : []);
        var batches = BatchBuilder.Pack(Sequences(8, model.Config.VocabSize, 3), rowLength: 32, rowsPerBatch: 2);
        batches.Count.ShouldBeGreaterThan(1);
        var steps = new List<StepResult>();
        for (int i = 0; i < 2; i++) steps.Add(session.Step(batches));
        var values = model.Parameters.Tensors.Where(t => t.Trainable).SelectMany(t => model.Parameters.ReadHost(t)).ToArray();
        return (steps, values);
    }

    [EmulatorTheory]
    [InlineData("gemma3", false)]
    [InlineData("qwen2", true)]
    public void Training_steps_match_the_cpu_backend(string fixture, bool lora)
    {
        using var cpu = new CpuBackend(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed });
        using var cuda = KernelEmulator.Backend();

        var expected = Train(cpu, fixture, lora);
        var actual = Train(cuda, fixture, lora);

        for (int i = 0; i < expected.Steps.Count; i++)
        {
            actual.Steps[i].Loss.ShouldBe(expected.Steps[i].Loss, 1e-5 * Math.Abs(expected.Steps[i].Loss), $"step {i + 1} loss");
            actual.Steps[i].GradNorm.ShouldBe(expected.Steps[i].GradNorm, 1e-4 * expected.Steps[i].GradNorm, $"step {i + 1} gradient norm");
        }
        // Adam divides by √v, so gradient differences at the 1e-7 level near zero become update differences of that
        // size relative to the learning rate: 1e-4 of the largest weight.
        BackendComparison.RelativeError(expected.Values, actual.Values).ShouldBeLessThan(1e-4);
    }
}

/// <summary>A theory that runs the CUDA kernels in the emulator; skipped (with the reason) without a C++ compiler.</summary>
public sealed class EmulatorTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the emulator cannot be built here.</summary>
    public EmulatorTheoryAttribute()
    {
        if (KernelEmulator.SkipReason is { } reason) Skip = reason;
    }
}
