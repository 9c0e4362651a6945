using System.Globalization;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// How many logical CPUs other processes kept busy over an interval: the machine's busy time from <c>/proc/stat</c>
/// (user, nice, system, irq, softirq and steal — a hypervisor's steal is a neighbour too) less this process's own
/// (<c>/proc/self/stat</c> utime + stime), divided by the wall time. Null where either file cannot be read.
/// </summary>
internal sealed class CpuContention
{
    private readonly long _machineTicks, _ownTicks, _start;

    private CpuContention(long machineTicks, long ownTicks)
    {
        _machineTicks = machineTicks;
        _ownTicks = ownTicks;
        _start = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Starts an interval, or null when the counters cannot be read.</summary>
    public static CpuContention? Start() =>
        MachineBusyTicks() is { } machine && OwnTicks() is { } own ? new CpuContention(machine, own) : null;

    /// <summary>Other processes' average CPU use since <see cref="Start"/>, in logical CPUs (≥ 0), or null.</summary>
    public double? OtherCpus()
    {
        if (MachineBusyTicks() is not { } machine || OwnTicks() is not { } own) return null;
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_start).TotalSeconds;
        if (seconds <= 0) return null;
        return OtherCpus(machine - _machineTicks, own - _ownTicks, seconds, TicksPerSecond);
    }

    /// <summary>The arithmetic, separate so it can be tested: ticks others used per second of wall time.</summary>
    public static double OtherCpus(long machineBusyTicks, long ownTicks, double seconds, double ticksPerSecond) =>
        Math.Max(0, (machineBusyTicks - ownTicks) / ticksPerSecond / seconds);

    /// <summary>Linux reports both files in USER_HZ, 100 on every architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>Busy ticks of the aggregate "cpu" line of a <c>/proc/stat</c> text, or null.</summary>
    public static long? ParseMachineBusy(string stat)
    {
        foreach (var line in stat.Split('\n'))
        {
            if (!line.StartsWith("cpu ", StringComparison.Ordinal)) continue;
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...
            if (f.Length < 9) return null;
            long busy = 0;
            foreach (int i in (int[])[1, 2, 3, 6, 7, 8])
            {
                if (!long.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out long v)) return null;
                busy += v;
            }
            return busy;
        }
        return null;
    }

    /// <summary>utime + stime of a <c>/proc/[pid]/stat</c> text (fields 14 and 15, counted after the parenthesised name), or null.</summary>
    public static long? ParseOwn(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var f = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // f[0] is field 3 (state); utime is field 14, stime field 15.
        if (f.Length < 13) return null;
        return long.TryParse(f[11], NumberStyles.None, CultureInfo.InvariantCulture, out long user)
            && long.TryParse(f[12], NumberStyles.None, CultureInfo.InvariantCulture, out long system)
            ? user + system
            : null;
    }

    private static long? MachineBusyTicks() => Read("/proc/stat") is { } text ? ParseMachineBusy(text) : null;

    private static long? OwnTicks() => Read("/proc/self/stat") is { } text ? ParseOwn(text) : null;

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
