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
    /// <summary>Retain tokens/s ÷ PyTorch tokens/s.</summary>
    public double? Ratio => Retain is not null && PyTorch is not null ? Retain.TokensPerSecond / PyTorch.TokensPerSecond : null;

    /// <summary>Training FLOPs per token (<see cref="TrainingFlops"/>) at this case's row length.</summary>
    public double FlopsPerToken => TrainingFlops.PerToken(Case.Model.LoadConfig(), Case.Length);

    /// <summary>Achieved model TFLOP/s of a training measurement, else null.</summary>
    public double? Tflops(CaseMeasurement? side) =>
        Case.Phase == BenchPhase.Train && side is not null ? FlopsPerToken * side.TokensPerSecond / 1e12 : null;

    /// <summary>Model FLOPs utilisation against <paramref name="peakFlops"/>, else null.</summary>
    public double? Mfu(CaseMeasurement? side, double? peakFlops) =>
        Tflops(side) is { } tflops && peakFlops is { } peak ? tflops * 1e12 / peak : null;
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

/// <summary>
/// Runs a suite: every case once with Retain (a child process of this CLI per case, so each peak RSS is the case's own)
/// and once with the PyTorch peer when one is installed; then square GEMMs, managed against OpenBLAS.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, PyTorchPeer? peer, string? peerMissing)
{
    /// <summary>How long one side of one case may run.</summary>
    public TimeSpan CaseTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>GEMM sizes to compare (none: skip).</summary>
    public IReadOnlyList<int> GemmSizes { get; init; } = [512, 1024, 2048];

    /// <summary>Runs <paramref name="cases"/>; <paramref name="progress"/> hears what is running now, e.g. <c>[2/9] stories260k-score: PyTorch</c>.</summary>
    public (IReadOnlyList<BenchResult> Results, IReadOnlyList<GemmResult> Gemm) Run(IReadOnlyList<BenchCase> cases, Action<string>? progress = null)
    {
        var scratch = Directory.CreateTempSubdirectory("retain-bench-").FullName;
        try
        {
            var results = new List<BenchResult>();
            for (int i = 0; i < cases.Count; i++)
            {
                var benchCase = cases[i];
                string position = $"[{i + 1}/{cases.Count}] {benchCase.Name}";
                progress?.Invoke($"{position}: Retain");
                var (retain, retainError) = Attempt(() => MeasureRetainInChild(benchCase));
                CaseMeasurement? torch = null;
                string? torchError = peerMissing;
                if (peer is not null)
                {
                    progress?.Invoke($"{position}: PyTorch");
                    (torch, torchError) = Attempt(() => peer.Measure(benchCase, settings, scratch, CaseTimeout));
                }
                results.Add(new BenchResult(benchCase, retain, retainError, torch, torchError));
            }
            var gemm = new List<GemmResult>();
            foreach (var n in GemmSizes)
            {
                progress?.Invoke($"[gemm] {n}³: managed and OpenBLAS");
                gemm.Add(MeasureGemm(n));
            }
            return (results, gemm);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
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

    private CaseMeasurement MeasureRetainInChild(BenchCase benchCase)
    {
        var (file, prefix) = ChildProcess.Self();
        string[] arguments =
        [
            .. prefix, "bench", "--measure", benchCase.Name, .. settings.Arguments(),
            .. settings.Ops ? new[] { "--ops" } : [],
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
    public static JsonObject ToJson(JsonObject machine, BenchSettings settings, IReadOnlyList<BenchResult> results, IReadOnlyList<GemmResult> gemm, double? peakFlops = null) => new()
    {
        ["machine"] = machine,
        ["settings"] = new JsonObject
        {
            ["threads"] = settings.Threads, ["warmup"] = settings.Warmup, ["warmup_seconds"] = settings.WarmupSeconds,
            ["repeat"] = settings.Repeat, ["seed"] = settings.Seed, ["ops"] = settings.Ops,
        },
        ["results"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["name"] = r.Case.Name,
            ["model"] = r.Case.Model.Description,
            ["phase"] = r.Case.Phase.ToString().ToLowerInvariant(),
            ["shape"] = r.Case.Shape,
            ["parameters"] = r.Retain?.Parameters ?? r.PyTorch?.Parameters,
            ["retain_tokens_per_s"] = r.Retain?.TokensPerSecond,
            ["pytorch_tokens_per_s"] = r.PyTorch?.TokensPerSecond,
            ["ratio"] = r.Ratio,
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
        ["gemm"] = new JsonArray(gemm.Select(g => (JsonNode)new JsonObject
        {
            ["n"] = g.N, ["managed_gflops"] = g.ManagedGflops, ["openblas_gflops"] = g.OpenBlasGflops, ["ratio"] = g.Ratio,
        }).ToArray()),
    };
}
