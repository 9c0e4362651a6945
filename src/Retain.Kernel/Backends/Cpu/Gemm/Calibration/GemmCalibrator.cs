using System.Diagnostics;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// Chooses, per <see cref="GemmShapeClass"/>, the fastest of several GEMM implementations by timing each class's
/// representative shape. Timed runs are interleaved (round r runs every class with every candidate, the candidates'
/// order alternating between rounds) so a noisy stretch of a shared machine hits all sides, and the minimum over the
/// rounds is kept. After one untimed warm-up round it runs at least <see cref="MinRounds"/> rounds and stops adding
/// rounds once <see cref="Budget"/> is spent or <see cref="MaxRounds"/> are done. Ties go to the earlier candidate.
/// </summary>
internal sealed class GemmCalibrator(IGemmTimer timer)
{
    public int MinRounds { get; init; } = 3;
    public int MaxRounds { get; init; } = 7;
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(1.5);

    public GemmCalibration Calibrate(string machineKey, IReadOnlyList<ICpuGemm> candidates)
    {
        if (candidates.Count == 0) throw new ArgumentException("At least one GEMM candidate is needed.", nameof(candidates));
        int classes = GemmShapeClass.Count;
        var best = new double[classes, candidates.Count];
        for (int c = 0; c < classes; c++)
        {
            for (int i = 0; i < candidates.Count; i++) best[c, i] = double.PositiveInfinity;
        }
        var clock = Stopwatch.StartNew();
        RunRound(candidates, null, 0);
        int rounds = 0;
        while (rounds < MaxRounds && (rounds < MinRounds || clock.Elapsed < Budget))
        {
            RunRound(candidates, best, rounds);
            rounds++;
        }
        var measurements = new List<GemmClassMeasurement>(classes);
        for (int c = 0; c < classes; c++)
        {
            var (m, n, k) = GemmShapeClass.Representative(c);
            double flops = 2.0 * m * n * k;
            int winner = 0;
            var rates = new Dictionary<string, double>();
            for (int i = 0; i < candidates.Count; i++)
            {
                if (best[c, i] < best[c, winner]) winner = i;
                rates[candidates[i].Name] = Math.Round(flops / best[c, i] / 1e9, 2);
            }
            measurements.Add(new GemmClassMeasurement(c, GemmShapeClass.Describe(c), $"{m}x{n}x{k}", candidates[winner].Name, rates));
        }
        return new GemmCalibration(machineKey, DateTimeOffset.UtcNow, rounds, measurements);
    }

    private void RunRound(IReadOnlyList<ICpuGemm> candidates, double[,]? best, int round)
    {
        for (int c = 0; c < GemmShapeClass.Count; c++)
        {
            var (m, n, k) = GemmShapeClass.Representative(c);
            for (int step = 0; step < candidates.Count; step++)
            {
                int i = round % 2 == 0 ? step : candidates.Count - 1 - step;
                double seconds = timer.SecondsPerRun(candidates[i], m, n, k);
                if (best is not null && seconds < best[c, i]) best[c, i] = seconds;
            }
        }
    }
}
