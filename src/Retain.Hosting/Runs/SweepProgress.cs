using System.Diagnostics;

namespace Retain.Hosting.Runs;

/// <summary>
/// Where a sweep stands: run k of n, and an estimate of the time left from the mean duration of the runs trained so
/// far (runs skipped because they had finished before take no time and do not count).
/// </summary>
/// <param name="runs">Runs in the sweep.</param>
/// <param name="clock">Elapsed time (default: a stopwatch started now; tests pass their own).</param>
public sealed class SweepProgress(int runs, Func<TimeSpan>? clock = null)
{
    private readonly Func<TimeSpan> _clock = clock ?? Watch();
    private TimeSpan _trained, _startedAt;
    private bool _running;
    private int _trainedRuns;

    /// <summary>Runs in the sweep.</summary>
    public int Total { get; } = Math.Max(1, runs);

    /// <summary>Runs finished or skipped.</summary>
    public int Done { get; private set; }

    /// <summary>The run now starting (1-based).</summary>
    public int Current => Math.Min(Done + 1, Total);

    /// <summary>A run starts training.</summary>
    public void Started()
    {
        _startedAt = _clock();
        _running = true;
    }

    /// <summary>A run finished (trained, or skipped).</summary>
    public void Finished(bool skipped)
    {
        Done++;
        if (_running && !skipped)
        {
            _trained += _clock() - _startedAt;
            _trainedRuns++;
        }
        _running = false;
    }

    /// <summary>Estimated time left, null before the first trained run finished.</summary>
    public TimeSpan? Remaining => _trainedRuns == 0 ? null : TimeSpan.FromSeconds(_trained.TotalSeconds / _trainedRuns * (Total - Done));

    /// <summary><c>, about 2 min 10 s left</c>, or nothing when there is no estimate yet or nothing left.</summary>
    public string RemainingText => Remaining is { } left && Done < Total ? $", about {Format(left)} left" : "";

    /// <summary><c>run 4 of 18, about 2 min 10 s left</c>.</summary>
    public string Describe() => $"run {Current} of {Total}{RemainingText}";

    private static string Format(TimeSpan time) => time.TotalMinutes >= 1 ? $"{(int)time.TotalMinutes} min {time.Seconds} s" : $"{Math.Max(1, (int)Math.Round(time.TotalSeconds))} s";

    private static Func<TimeSpan> Watch()
    {
        var watch = Stopwatch.StartNew();
        return () => watch.Elapsed;
    }
}
