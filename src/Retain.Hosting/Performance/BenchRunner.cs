using System.Globalization;
using System.Text.Json.Nodes;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Diagnostics;

namespace Retain.Hosting.Performance;

/// <summary>One case's outcome: each side's measurement or why it is missing.</summary>
public sealed record BenchResult(BenchCase Case, CaseMeasurement? Retain, string? RetainError, CaseMeasurement? PyTorch, string? PyTorchError)
{
    /// <summary>Retain tokens/s ÷ PyTorch tokens/s, from the medians (= PyTorch's median time ÷ Retain's).</summary>
    public double? Ratio => Retain is not null && PyTorch is not null ? Retain.TokensPerSecond / PyTorch.TokensPerSecond : null;

    /// <summary>PyTorch's fastest run ÷ Retain's fastest run: the ratio least moved by a noisy machine.</summary>
    public double? RatioOfMins => Retain is not null && PyTorch is not null ? PyTorch.Seconds.Min / Retain.Seconds.Min : null;

    /// <summary>The training step's lower bound from the machine's measured limits (training cases with limits only).</summary>
    public StepBound? Bound { get; init; }

    /// <summary>The best GEMM rate each implementation reached on each product of the step, behind <see cref="Bound"/>.</summary>
    public IReadOnlyList<GemmProductRate> GemmRates { get; init; } = [];

    /// <summary>Lower bound ÷ Retain's median step: the fraction of the machine's limit reached (1 = at the limit).</summary>
    public double? FractionOfLimit => Bound is { } b && Retain is { } r ? b.TotalSeconds / r.Seconds.Median : null;

    /// <summary>Training FLOPs per token (<see cref="TrainingFlops"/>) at this case's row length.</summary>
    public double FlopsPerToken => TrainingFlops.PerToken(Case.Model.LoadConfig(), Case.Length);

    /// <summary>Achieved model TFLOP/s of a training measurement, else null.</summary>
    public double? Tflops(CaseMeasurement? side) =>
        Case.Phase == BenchPhase.Train && side is not null ? FlopsPerToken * side.TokensPerSecond / 1e12 : null;

    /// <summary>Model FLOPs utilisation against <paramref name="peakFlops"/>, else null.</summary>
    public double? Mfu(CaseMeasurement? side, double? peakFlops) =>
        Tflops(side) is { } tflops && peakFlops is { } peak ? tflops * 1e12 / peak : null;
}

/// <summary>Managed GEMM (split across the workers) against OpenBLAS on one product of a training step.</summary>
public sealed record GemmProductRate(GemmProduct Product, double ManagedGflops, double? OpenBlasGflops)
{
    /// <summary>The faster of the two, FLOP/s.</summary>
    public double BestFlops => Math.Max(ManagedGflops, OpenBlasGflops ?? 0) * 1e9;
}

/// <summary>Managed GEMM against OpenBLAS at one square size.</summary>
/// <param name="N">m = n = k.</param>
/// <param name="ManagedGflops">The managed GEMM's GFLOP/s.</param>
/// <param name="OpenBlasGflops">OpenBLAS's GFLOP/s, null without OpenBLAS.</param>
public sealed record GemmResult(int N, double ManagedGflops, double? OpenBlasGflops)
{
    /// <summary>Managed ÷ OpenBLAS.</summary>
    public double? Ratio => OpenBlasGflops is { } blas ? ManagedGflops / blas : null;
}

/// <summary>A suite's outcome: the cases, the GEMM table and the machine's limits (null when not measured).</summary>
public sealed record BenchReport(IReadOnlyList<BenchResult> Results, IReadOnlyList<GemmResult> Gemm, MachineLimitsResult? Limits);

/// <summary>
/// Runs a suite: the GEMM table (managed against OpenBLAS) and the machine's limits first, then every case with Retain
/// (a child process of this CLI per chunk, so each peak RSS is the case's own) and with the PyTorch peer when one is
/// installed, the two sides' chunks interleaved.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, PyTorchPeer? peer, string? peerMissing)
{
    /// <summary>How long one side of one case may run.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>GEMM sizes to compare (none: skip).</summary>
    public IReadOnlyList<int> GemmSizes { get; init; } = [512, 1024, 2048];

    /// <summary>Measure the machine's limits (peak FMA, best GEMM, triad) and each training case's lower bound.</summary>
    public bool MeasureLimits { get; init; } = true;

    /// <summary>
    /// Chunks each side's timed runs are split into when both sides run: Retain, PyTorch, Retain, PyTorch, … each chunk a
    /// fresh process with its own warm-up, the samples pooled, so a noisy stretch of the machine hits both sides.
    /// </summary>
    public int Interleave { get; init; } = 3;

    /// <summary>
    /// Runs <paramref name="cases"/>; <paramref name="progress"/> hears what is running now, e.g. <c>[2/9] stories260k-score: PyTorch</c>.
    /// </summary>
    public BenchReport Run(IReadOnlyList<BenchCase> cases, Action<string>? progress = null)
    {
        var scratch = Directory.CreateTempSubdirectory("retain-bench-").FullName;
        try
        {
            var gemm = new List<GemmResult>();
            foreach (var n in GemmSizes)
            {
                progress?.Invoke($"[gemm] {n}³: managed and OpenBLAS");
                gemm.Add(MeasureGemm(n));
            }
            MachineLimitsResult? limits = null;
            if (MeasureLimits)
            {
                progress?.Invoke("[limits] peak FMA, triad bandwidth, best GEMM");
                limits = Limits(gemm);
            }
            var results = new List<BenchResult>();
            for (int i = 0; i < cases.Count; i++)
            {
                var benchCase = cases[i];
                string position = $"[{i + 1}/{cases.Count}] {benchCase.Name}";
                var chunks = ChunkRepeats(settings.Repeat, peer is null ? 1 : Interleave);
                var retainParts = new List<CaseMeasurement>();
                var torchParts = new List<CaseMeasurement>();
                string? retainError = null, torchError = peer is null ? peerMissing : null;
                for (int c = 0; c < chunks.Count; c++)
                {
                    var chunk = settings with { Repeat = chunks[c] };
                    string round = chunks.Count > 1 ? $" (round {c + 1}/{chunks.Count})" : "";
                    if (retainError is null)
                    {
                        progress?.Invoke($"{position}: Retain{round}");
                        var (part, error) = Attempt(() => MeasureRetainInChild(benchCase, chunk));
                        if (part is not null) retainParts.Add(part);
                        retainError = error;
                    }
                    if (peer is not null && torchError is null)
                    {
                        progress?.Invoke($"{position}: PyTorch{round}");
                        var (part, error) = Attempt(() => peer.Measure(benchCase, chunk, scratch, CaseTimeout));
                        if (part is not null) torchParts.Add(part);
                        torchError = error;
                    }
                }
                var retain = retainError is null ? CaseMeasurement.Merge(retainParts) : null;
                var torch = torchError is null && torchParts.Count > 0 ? CaseMeasurement.Merge(torchParts) : null;
                StepBound? bound = null;
                IReadOnlyList<GemmProductRate> rates = [];
                if (limits is not null && retain is not null && benchCase.Phase == BenchPhase.Train && benchCase.Device == "cpu")
                {
                    var config = benchCase.Model.LoadConfig();
                    progress?.Invoke($"{position}: GEMM rates at the step's own products");
                    rates = new ProductRates(settings.Threads).Measure(Roofline.TrainingProducts(config, benchCase.Rows, benchCase.Length));
                    var byProduct = rates.ToDictionary(r => r.Product, r => r.BestFlops);
                    bound = Roofline.TrainingStep(config, retain.Parameters, benchCase.Rows, benchCase.Length, limits, p => byProduct[p]);
                }
                results.Add(new BenchResult(benchCase, retain, retainError, torch, torchError) { Bound = bound, GemmRates = rates });
            }
            return new BenchReport(results, gemm, limits);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Splits <paramref name="repeat"/> timed runs into at most <paramref name="chunks"/> chunks that sum to it.</summary>
    public static IReadOnlyList<int> ChunkRepeats(int repeat, int chunks)
    {
        int count = Math.Clamp(chunks, 1, Math.Max(1, repeat));
        return Enumerable.Range(0, count).Select(c => repeat / count + (c < repeat % count ? 1 : 0)).ToArray();
    }

    private MachineLimitsResult Limits(IReadOnlyList<GemmResult> gemm)
    {
        var (peak, bits) = MachineLimits.PeakFma(settings.Threads);
        double bandwidth = MachineLimits.TriadBandwidth(settings.Threads);
        var rates = gemm.SelectMany(g => new[] { g.ManagedGflops, g.OpenBlasGflops ?? 0 }).ToList();
        if (rates.Count == 0)
        {
            var large = MeasureGemm(512); // --no-gemm: one mid-size product per implementation, a lower (safer) limit than the table's best
            rates.AddRange([large.ManagedGflops, large.OpenBlasGflops ?? 0]);
        }
        return new MachineLimitsResult(peak, bits, rates.Max() * 1e9, bandwidth);
    }

    private static (CaseMeasurement?, string?) Attempt(Func<CaseMeasurement> measure)
    {
        try
        {
            return (measure(), null);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
        {
            return (null, e.Message);
        }
    }

    private CaseMeasurement MeasureRetainInChild(BenchCase benchCase, BenchSettings chunk)
    {
        var (file, prefix) = ChildProcess.Self();
        string[] arguments =
        [
            .. prefix, "bench", "--measure", benchCase.Name, .. chunk.Arguments(),
            .. chunk.Ops ? new[] { "--ops" } : [],
        ];
        var result = ChildProcess.Run(file, arguments, CaseTimeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"Retain: {ChildProcess.LastErrorLine(result)}");
        return CaseMeasurement.Parse(result.Out, "the Retain measuring process");
    }

    private GemmResult MeasureGemm(int n)
    {
        using var managed = new CpuBackend(new CpuBackendOptions { Threads = settings.Threads, Gemm = GemmProvider.Managed });
        double managedGflops = KernelBenchmark.MeasureGemm(managed, n);
        double? blas = null;
        if (CpuBackend.OpenBlasPath is not null)
        {
            using var openBlas = new CpuBackend(new CpuBackendOptions { Threads = settings.Threads, Gemm = GemmProvider.OpenBlas });
            blas = KernelBenchmark.MeasureGemm(openBlas, n);
        }
        return new GemmResult(n, managedGflops, blas);
    }

    /// <summary>
    /// The report: <c>{"machine": {...}, "results": [{"name", "retain_tokens_per_s", "pytorch_tokens_per_s", "ratio",
    /// "retain_peak_mb", "pytorch_peak_mb", ...}], "gemm": [...]}</c>.
    /// </summary>
    /// <param name="peakFlops">The device's peak FLOP/s for MFU (null: no MFU).</param>
    public static JsonObject ToJson(JsonObject machine, BenchSettings settings, BenchReport report, double? peakFlops = null, int interleave = 1) => new()
    {
        ["machine"] = machine,
        ["limits"] = report.Limits is not { } l ? null : new JsonObject
        {
            ["peak_fma_gflops"] = l.PeakFlops / 1e9, ["fma_vector_bits"] = l.VectorBits, ["best_gemm_gflops"] = l.GemmFlops / 1e9,
            ["triad_gb_per_s"] = l.BandwidthBytes / 1e9,
        },
        ["settings"] = new JsonObject
        {
            ["threads"] = settings.Threads, ["warmup"] = settings.Warmup, ["warmup_seconds"] = settings.WarmupSeconds,
            ["repeat"] = settings.Repeat, ["seed"] = settings.Seed, ["ops"] = settings.Ops, ["interleave"] = interleave,
        },
        ["results"] = new JsonArray(report.Results.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Case.Name,
            ["model"] = r.Case.Model.Description,
            ["phase"] = r.Case.Phase.ToString().ToLowerInvariant(),
            ["shape"] = r.Case.Shape,
            ["parameters"] = r.Retain?.Parameters ?? r.PyTorch?.Parameters,
            ["retain_tokens_per_s"] = r.Retain?.TokensPerSecond,
            ["pytorch_tokens_per_s"] = r.PyTorch?.TokensPerSecond,
            ["ratio"] = r.Ratio,
            ["ratio_of_medians"] = r.Ratio,
            ["ratio_of_mins"] = r.RatioOfMins,
            ["lower_bound_seconds"] = r.Bound?.TotalSeconds,
            ["lower_bound_parts_seconds"] = r.Bound is not { } b ? null : new JsonObject
            {
                ["matmul"] = b.MatmulSeconds, ["attention"] = b.AttentionSeconds, ["optimizer"] = b.OptimizerSeconds, ["elementwise"] = b.ElementwiseSeconds,
            },
            ["fraction_of_limit"] = r.FractionOfLimit,
            ["gemm_products"] = r.GemmRates.Count == 0 ? null : new JsonArray(r.GemmRates.Select(g => (JsonNode)new JsonObject
            {
                ["product"] = g.Product.Shape, ["per_step"] = g.Product.Count, ["managed_gflops"] = Math.Round(g.ManagedGflops, 1),
                ["openblas_gflops"] = g.OpenBlasGflops is { } o ? Math.Round(o, 1) : null,
            }).ToArray()),
            ["retain_peak_mb"] = r.Retain?.PeakRssMb,
            ["pytorch_peak_mb"] = r.PyTorch?.PeakRssMb,
            ["retain_seconds"] = r.Retain is null ? null : CaseMeasurement.SecondsJson(r.Retain.Seconds),
            ["pytorch_seconds"] = r.PyTorch is null ? null : CaseMeasurement.SecondsJson(r.PyTorch.Seconds),
            ["retain_alloc_bytes_per_run"] = r.Retain?.AllocatedBytesPerRun,
            ["retain_peak_device_mb"] = r.Retain?.PeakDeviceMb,
            ["pytorch_peak_device_mb"] = r.PyTorch?.PeakDeviceMb,
            ["model_flops_per_token"] = r.Case.Phase == BenchPhase.Train ? r.FlopsPerToken : null,
            ["retain_tflops"] = r.Tflops(r.Retain),
            ["pytorch_tflops"] = r.Tflops(r.PyTorch),
            ["retain_mfu"] = r.Mfu(r.Retain, peakFlops),
            ["pytorch_mfu"] = r.Mfu(r.PyTorch, peakFlops),
            ["retain_backend"] = r.Retain?.Detail,
            ["retain_ops"] = CaseMeasurement.OpsJson(r.Retain?.Ops),
            ["pytorch_detail"] = r.PyTorch?.Detail,
            ["retain_error"] = r.RetainError,
            ["pytorch_error"] = r.PyTorch is null ? r.PyTorchError : null,
        }).ToArray()),
        ["gemm"] = new JsonArray(report.Gemm.Select(g => (JsonNode)new JsonObject
        {
            ["n"] = g.N, ["managed_gflops"] = g.ManagedGflops, ["openblas_gflops"] = g.OpenBlasGflops, ["ratio"] = g.Ratio,
        }).ToArray()),
    };
}
