using System.Diagnostics;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Kernel.Training;

namespace Retain.Kernel.Diagnostics;

/// <summary>Wall times of repeated runs of one operation.</summary>
/// <param name="Median">Median seconds (the upper median for an even count).</param>
/// <param name="Min">Fastest run.</param>
/// <param name="Max">Slowest run.</param>
/// <param name="Count">Timed runs.</param>
public sealed record TimingSamples(double Median, double Min, double Max, int Count)
{
    /// <summary>Summarises <paramref name="seconds"/> (sorted in place).</summary>
    public static TimingSamples From(double[] seconds)
    {
        if (seconds.Length == 0) throw new ArgumentException("At least one timed run is needed.", nameof(seconds));
        Array.Sort(seconds);
        return new TimingSamples(seconds[seconds.Length / 2], seconds[0], seconds[^1], seconds.Length) { Samples = seconds.ToArray() };
    }

    /// <summary>Every timed run's seconds, sorted, where they were kept (null for summaries read without them).</summary>
    public IReadOnlyList<double>? Samples { get; init; }
}

/// <summary>One measured phase.</summary>
/// <param name="Tokens">Tokens one run processes (the numerator of tokens/s).</param>
/// <param name="Seconds">Timed runs.</param>
/// <param name="AllocatedBytesPerRun">Managed bytes allocated per timed run, calling thread and backend workers together.</param>
public sealed record PhaseMeasurement(int Tokens, TimingSamples Seconds, long AllocatedBytesPerRun)
{
    /// <summary>Tokens / median seconds.</summary>
    public double TokensPerSecond => Tokens / Seconds.Median;
}

/// <summary>
/// Timing loops for <c>retain bench</c>: training steps, scoring, generation, GEMM. Every loop warms up first (at least
/// <c>warmup</c> runs and <c>warmupSeconds</c>: tiered JIT compilation, buffer planning) and reports the median of the timed runs. Numbers are measured, never asserted;
/// tests check only that the loops run.
/// </summary>
public static class KernelBenchmark
{
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

    /// <summary>Rows of random tokens.</summary>
    public static int[][] RandomRows(int vocab, int rows, int length, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray()).ToArray();
    }

    /// <summary>
    /// Full training steps (forward, backward, clipping at 1.0, AdamW) on one micro-batch of random tokens, every token
    /// after the first of a row supervised: tokens = rows × length per step.
    /// </summary>
    public static PhaseMeasurement MeasureTraining(TransformerModel model, int rows, int length, int warmup, int repeat, double warmupSeconds = 0)
    {
        var sequences = RandomRows(model.Config.VocabSize, rows, length)
            .Select((ids, r) => new TrainingSequence(ids, ids.Select((_, t) => t > 0).ToArray(), r)).ToArray();
        var batch = BatchBuilder.Pad(sequences);
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-5, TotalSteps = warmup + repeat, MaxGradNorm = 1.0 });
        session.Reserve(rows, length, batch.ScoredCount);
        var micro = new[] { batch };
        return Measure(model.Backend, rows * length, warmup, warmupSeconds, repeat, () => session.Step(micro));
    }

    /// <summary>Log-probabilities of every token of rows × length random tokens (no gradients): tokens = rows × length.</summary>
    public static PhaseMeasurement MeasureScoring(TransformerModel model, int rows, int length, int warmup, int repeat, double warmupSeconds = 0)
    {
        var sequences = RandomRows(model.Config.VocabSize, rows, length, seed: 2);
        var scorer = new Scorer(model, tokensPerBatch: rows * length);
        return Measure(model.Backend, rows * length, warmup, warmupSeconds, repeat, () => scorer.TokenLogProbs(sequences));
    }

    /// <summary>
    /// Greedy decoding with the KV cache, one sequence: a random prompt of <paramref name="promptLength"/> tokens, then
    /// exactly <paramref name="newTokens"/> tokens (no end token). Tokens = new tokens; the time includes the prefill.
    /// </summary>
    public static PhaseMeasurement MeasureGeneration(TransformerModel model, int promptLength, int newTokens, int warmup, int repeat, double warmupSeconds = 0)
    {
        var prompt = RandomRows(model.Config.VocabSize, 1, promptLength, seed: 3)[0];
        var input = new[] { new GenerationInput(prompt, newTokens, SamplingOptions.Greedy, []) };
        var generator = new Generator(model, maxBatch: 1);
        return Measure(model.Backend, newTokens, warmup, warmupSeconds, repeat, () =>
        {
            int generated = generator.Generate(input)[0].Tokens.Length;
            if (generated != newTokens) throw new InvalidOperationException($"Generation stopped after {generated} of {newTokens} tokens.");
        });
    }

    private static PhaseMeasurement Measure(IBackend backend, int tokens, int warmup, double warmupSeconds, int repeat, Action run)
    {
        if (repeat < 1) throw new ArgumentOutOfRangeException(nameof(repeat), "At least one timed run is needed.");
        long warmupStart = Stopwatch.GetTimestamp();
        for (int i = 0; i < warmup || Stopwatch.GetElapsedTime(warmupStart).TotalSeconds < warmupSeconds; i++) run();
        (backend as TimingBackend)?.Reset(); // per-op totals cover the timed runs only
        var seconds = new double[repeat];
        long allocated = AllocatedBytes(backend);
        for (int i = 0; i < repeat; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        allocated = AllocatedBytes(backend) - allocated;
        return new PhaseMeasurement(tokens, TimingSamples.From(seconds), allocated / repeat);
    }

    private static long AllocatedBytes(IBackend backend) =>
        GC.GetAllocatedBytesForCurrentThread() + (backend is CpuBackend cpu ? cpu.WorkerAllocatedBytes : 0);

    /// <summary>GFLOP/s of an n × n × n GEMM (C = A·Bᵀ, the layout of linear layers), best of <paramref name="repeats"/>.</summary>
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
}
