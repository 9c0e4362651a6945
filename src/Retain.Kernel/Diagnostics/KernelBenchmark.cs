using System.Diagnostics;
using Retain.Kernel.Backends;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Kernel.Training;

namespace Retain.Kernel.Diagnostics;

/// <summary>Training throughput of one configuration.</summary>
/// <param name="Rows">Rows per step.</param>
/// <param name="Length">Tokens per row.</param>
/// <param name="Steps">Timed steps.</param>
/// <param name="MedianStepSeconds">Median wall time of a step.</param>
/// <param name="TokensPerSecond">Rows × length / median step time.</param>
/// <param name="AllocatedBytesPerStep">Managed bytes the calling thread allocated per timed step.</param>
/// <param name="PeakWorkingSetBytes">Peak resident memory of the process so far.</param>
public sealed record TrainingThroughput(int Rows, int Length, int Steps, double MedianStepSeconds, double TokensPerSecond, long AllocatedBytesPerStep, long PeakWorkingSetBytes);

/// <summary>Generation throughput.</summary>
/// <param name="Sequences">Sequences generated together.</param>
/// <param name="NewTokens">Tokens generated per sequence.</param>
/// <param name="Seconds">Wall time (prefill included).</param>
/// <param name="TokensPerSecond">Generated tokens per second, all sequences together.</param>
public sealed record GenerationThroughput(int Sequences, int NewTokens, double Seconds, double TokensPerSecond);

/// <summary>
/// Timing loops for <c>retain bench</c> and reports: training steps, GEMM, generation. Numbers are measured, never
/// asserted; tests check correctness only.
/// </summary>
public static class KernelBenchmark
{
    /// <summary>A Llama-architecture config for random-weight benchmarks.</summary>
    public static ModelConfig LlamaConfig(int hidden, int layers, int heads, int kvHeads, int intermediate, int vocab, int maxPositions = 2048, bool tied = true) =>
        ModelConfig.Parse($$"""
            {"model_type":"llama","hidden_size":{{hidden}},"num_hidden_layers":{{layers}},"num_attention_heads":{{heads}},
             "num_key_value_heads":{{kvHeads}},"intermediate_size":{{intermediate}},"vocab_size":{{vocab}},
             "max_position_embeddings":{{maxPositions}},"rms_norm_eps":1e-5,"rope_theta":10000.0,"tie_word_embeddings":{{(tied ? "true" : "false")}}}
            """, "benchmark config");

    /// <summary>A model with N(0, 0.02²) matrices and unit norms.</summary>
    public static TransformerModel RandomModel(ModelConfig config, IBackend backend, int seed = 1)
    {
        var model = new TransformerModel(config, backend);
        var random = new Random(seed);
        model.LoadWeights((tensor, values) =>
        {
            if (tensor.Kind == ParameterKind.Norm)
            {
                Array.Fill(values, 1f);
                return;
            }
            for (int i = 0; i < values.Length; i += 2)
            {
                double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
                double r = Math.Sqrt(-2 * Math.Log(u1)) * 0.02;
                values[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
                if (i + 1 < values.Length) values[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
            }
        });
        return model;
    }

    /// <summary>Full rows of random tokens, every token after the first supervised.</summary>
    public static TrainingBatch RandomBatch(int vocab, int rows, int length, int seed = 1)
    {
        var random = new Random(seed);
        var sequences = Enumerable.Range(0, rows).Select(r => new TrainingSequence(
            Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray(),
            Enumerable.Range(0, length).Select(t => t > 0).ToArray(), r)).ToArray();
        return BatchBuilder.Pad(sequences);
    }

    /// <summary>
    /// Times full training steps (forward, backward, clipping, AdamW) on one micro-batch of random tokens. Warm-up steps
    /// let tiered JIT compilation finish; small models need a few dozen.
    /// </summary>
    public static TrainingThroughput MeasureTraining(TransformerModel model, int rows, int length, int warmupSteps = 10, int steps = 10)
    {
        var batch = RandomBatch(model.Config.VocabSize, rows, length);
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-5, TotalSteps = warmupSteps + steps });
        session.Reserve(rows, length, batch.ScoredCount);
        var micro = new[] { batch };
        for (int i = 0; i < warmupSteps; i++) session.Step(micro);
        var times = new double[steps];
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            session.Step(micro);
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(times);
        double median = times[steps / 2];
        using var process = Process.GetCurrentProcess();
        return new TrainingThroughput(rows, length, steps, median, rows * length / median, allocated / steps, process.PeakWorkingSet64);
    }

    /// <summary>GFLOP/s of an n × n × n GEMM (C = A·Bᵀ, the layout of linear layers).</summary>
    public static double MeasureGemm(IBackend backend, int n, int repeats = 5)
    {
        using var a = backend.Allocate((long)n * n);
        using var b = backend.Allocate((long)n * n);
        using var c = backend.Allocate((long)n * n);
        var random = new Random(1);
        var host = new float[(long)n * n];
        for (int i = 0; i < host.Length; i++) host[i] = (float)random.NextDouble();
        backend.Upload(host, a.View);
        backend.Upload(host, b.View);
        backend.Gemm(false, true, n, n, n, 1f, a.View, n, b.View, n, 0f, c.View, n);
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            long start = Stopwatch.GetTimestamp();
            backend.Gemm(false, true, n, n, n, 1f, a.View, n, b.View, n, 0f, c.View, n);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /// <summary>Greedy generation of <paramref name="newTokens"/> tokens for <paramref name="sequences"/> prompts decoded together.</summary>
    public static GenerationThroughput MeasureGeneration(TransformerModel model, int sequences, int promptLength, int newTokens)
    {
        var random = new Random(2);
        var inputs = Enumerable.Range(0, sequences).Select(_ => new GenerationInput(
            Enumerable.Range(0, promptLength).Select(_ => random.Next(model.Config.VocabSize)).ToArray(), newTokens, SamplingOptions.Greedy, [])).ToArray();
        var generator = new Generator(model, maxBatch: sequences);
        generator.Generate(inputs.Take(1).Select(i => i with { MaxNewTokens = 2 }).ToArray());
        long start = Stopwatch.GetTimestamp();
        var outputs = generator.Generate(inputs);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        int generated = outputs.Sum(o => o.Tokens.Length);
        return new GenerationThroughput(sequences, newTokens, seconds, generated / seconds);
    }
}
