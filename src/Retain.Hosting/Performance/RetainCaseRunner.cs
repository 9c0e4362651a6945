using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Diagnostics;
using Retain.Kernel.Models;

namespace Retain.Hosting.Performance;

/// <summary>Measures one case with Retain's kernel in this process (the bench verb runs it in a child process per case, so peak memory is the case's own).</summary>
public static class RetainCaseRunner
{
    /// <summary>Loads (or randomly initialises) the model on the case's device and times the case's phase.</summary>
    public static CaseMeasurement Measure(BenchCase benchCase, BenchSettings settings)
    {
        var device = BackendFactory.Create(benchCase.Device, new BackendFactoryOptions { Cpu = new CpuBackendOptions { Threads = settings.Threads } });
        TimingBackend? timing = settings.Ops ? new TimingBackend(device) : null;
        using IBackend backend = timing ?? device;
        using var model = benchCase.Model.Directory is { } directory
            ? Checkpoint.Load(directory, backend)
            : KernelBenchmark.RandomModel(benchCase.Model.LoadConfig(), backend, settings.Seed);
        var measurement = benchCase.Phase switch
        {
            BenchPhase.Train => KernelBenchmark.MeasureTraining(model, benchCase.Rows, benchCase.Length, settings.Warmup, settings.Repeat, settings.WarmupSeconds),
            BenchPhase.Score => KernelBenchmark.MeasureScoring(model, benchCase.Rows, benchCase.Length, settings.Warmup, settings.Repeat, settings.WarmupSeconds),
            _ => KernelBenchmark.MeasureGeneration(model, benchCase.PromptLength, benchCase.Length, settings.Warmup, settings.Repeat, settings.WarmupSeconds),
        };
        return new CaseMeasurement(measurement.Tokens, measurement.TokensPerSecond, measurement.Seconds, CaseMeasurement.PeakRssOfThisProcess(),
            model.Parameters.ElementCount, measurement.AllocatedBytesPerRun, device.Name)
        {
            PeakDeviceMb = device is CudaBackend cuda ? cuda.PeakHeldBytes / (1024.0 * 1024.0) : null,
            Ops = timing?.Totals().Select(t => new OpTime(t.Op, t.Seconds / settings.Repeat, (double)t.Calls / settings.Repeat)).ToArray(),
        };
    }
}

/// <summary>How both sides measure: threads, warm-up and timed runs, seed of random weights and tokens.</summary>
/// <param name="Threads">Threads for Retain's CPU backend and torch.set_num_threads.</param>
/// <param name="Warmup">Untimed runs first.</param>
/// <param name="WarmupSeconds">Warm-up goes on until at least this long has passed (JIT tiering, allocator warm-up).</param>
/// <param name="Repeat">Timed runs; the median is reported.</param>
/// <param name="Seed">Seed of random weights.</param>
/// <param name="Ops">Also time every backend op (synchronising after each, so the totals run a little slower).</param>
public sealed record BenchSettings(int Threads, int Warmup, double WarmupSeconds, int Repeat, int Seed = 1, bool Ops = false)
{
    /// <summary>These settings as the options both measuring processes (Retain's child and the peer script) accept.</summary>
    public IEnumerable<string> Arguments() =>
    [
        "--threads", Invariant(Threads), "--warmup", Invariant(Warmup), "--warmup-seconds", Invariant(WarmupSeconds),
        "--repeat", Invariant(Repeat), "--seed", Invariant(Seed),
    ];

    /// <summary>A number as command-line text, independent of the current culture.</summary>
    public static string Invariant(IFormattable value) => value.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
}
