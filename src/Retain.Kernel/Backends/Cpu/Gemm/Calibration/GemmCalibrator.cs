using System.Diagnostics;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// Chooses, per route (a <see cref="GemmShapeClass"/> and an operand layout), the fastest of several GEMM
/// implementations by timing the route's representative product — the forward, input-gradient or weight-gradient GEMM
/// of a linear layer of the class's size. Timed runs are interleaved (round r runs every route with every candidate, the
/// candidates' order alternating between rounds) so a noisy stretch of a shared machine hits all sides, and the minimum
/// over the rounds is kept. After one untimed warm-up round it runs at least <see cref="MinRounds"/> rounds and stops
/// adding rounds once <see cref="Budget"/> is spent or <see cref="MaxRounds"/> are done. Ties go to the earlier
/// candidate. Interleaving does not protect a 2-core machine from a busy neighbour (it slows the split GEMM twice as
/// much as single-threaded blocks), so the other processes' CPU use is measured too: a calibration taken above
/// <see cref="GemmCalibration.QuietLimit"/> is tried again, up to <see cref="Attempts"/> times, and the quietest kept.
/// </summary>
internal sealed class GemmCalibrator(IGemmTimer timer)
{
    public int MinRounds { get; init; } = 3;
    public int MaxRounds { get; init; } = 7;
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(1.5);
    public int Attempts { get; init; } = 2;

    /// <summary>Starts measuring other processes' CPU use; the returned function reads it (null: unknown).</summary>
    public Func<Func<double?>> Contention { get; init; } = () =>
    {
        var interval = CpuContention.Start();
        return () => interval?.OtherCpus();
    };

    public GemmCalibration Calibrate(string machineKey, IReadOnlyList<ICpuGemm> candidates)
    {
        if (candidates.Count == 0) throw new ArgumentException("At least one GEMM candidate is needed.", nameof(candidates));
        GemmCalibration? quietest = null;
        for (int attempt = 0; attempt < Math.Max(1, Attempts); attempt++)
        {
            var calibration = CalibrateOnce(machineKey, candidates);
            if (quietest is null || (calibration.OtherCpus ?? 0) < (quietest.OtherCpus ?? 0)) quietest = calibration;
            if (!quietest.Provisional) break;
        }
        return quietest!;
    }

    private GemmCalibration CalibrateOnce(string machineKey, IReadOnlyList<ICpuGemm> candidates)
    {
        int routes = GemmShapeClass.RouteCount;
        var best = new double[routes, candidates.Count];
        for (int r = 0; r < routes; r++)
        {
            for (int i = 0; i < candidates.Count; i++) best[r, i] = double.PositiveInfinity;
        }
        var otherCpus = Contention();
        var clock = Stopwatch.StartNew();
        RunRound(candidates, null, 0);
        int rounds = 0;
        while (rounds < MaxRounds && (rounds < MinRounds || clock.Elapsed < Budget))
        {
            RunRound(candidates, best, rounds);
            rounds++;
        }
        double? others = otherCpus();
        var measurements = new List<GemmRouteMeasurement>(routes);
        for (int r = 0; r < routes; r++)
        {
            var (_, _, m, n, k) = GemmShapeClass.RepresentativeOfRoute(r);
            double flops = 2.0 * m * n * k;
            int winner = 0;
            var rates = new Dictionary<string, double>();
            for (int i = 0; i < candidates.Count; i++)
            {
                if (best[r, i] < best[r, winner]) winner = i;
                rates[candidates[i].Name] = Math.Round(flops / best[r, i] / 1e9, 2);
            }
            measurements.Add(new GemmRouteMeasurement(r, GemmShapeClass.Describe(GemmShapeClass.ClassOfRoute(r)), GemmShapeClass.DescribeLayout(r),
                $"{m}x{n}x{k}", candidates[winner].Name, rates));
        }
        return new GemmCalibration(machineKey, DateTimeOffset.UtcNow, rounds, measurements, others is { } o ? Math.Round(o, 2) : null);
    }

    private void RunRound(IReadOnlyList<ICpuGemm> candidates, double[,]? best, int round)
    {
        for (int r = 0; r < GemmShapeClass.RouteCount; r++)
        {
            var (transposeA, transposeB, m, n, k) = GemmShapeClass.RepresentativeOfRoute(r);
            for (int step = 0; step < candidates.Count; step++)
            {
                int i = round % 2 == 0 ? step : candidates.Count - 1 - step;
                double seconds = timer.SecondsPerRun(candidates[i], transposeA, transposeB, m, n, k);
                if (best is not null && seconds < best[r, i]) best[r, i] = seconds;
            }
        }
    }
}
