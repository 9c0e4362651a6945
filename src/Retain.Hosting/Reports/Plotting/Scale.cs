using System.Globalization;

namespace Retain.Hosting.Reports.Plotting;

/// <summary>Maps data values to pixels on one axis, linearly or logarithmically, with readable ticks.</summary>
public sealed class Scale
{
    private Scale(double min, double max, bool log, IReadOnlyList<double> ticks)
    {
        Min = min;
        Max = max;
        IsLog = log;
        Ticks = ticks;
    }

    /// <summary>Lowest value shown.</summary>
    public double Min { get; }

    /// <summary>Highest value shown.</summary>
    public double Max { get; }

    /// <summary>Whether the axis is logarithmic (base 10).</summary>
    public bool IsLog { get; }

    /// <summary>Tick values.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>A linear scale covering the values, extended to round ticks (1, 2, 2.5, 5 × 10^k steps).</summary>
    public static Scale Linear(IEnumerable<double> values, double padding = 0.05, int targetTicks = 6, double lowest = double.NegativeInfinity, double highest = double.PositiveInfinity)
    {
        var finite = values.Where(double.IsFinite).ToList();
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        if (hi - lo < 1e-12)
        {
            double spread = Math.Abs(lo) > 1e-12 ? Math.Abs(lo) * 0.1 : 0.5;
            lo -= spread;
            hi += spread;
        }
        double pad = (hi - lo) * padding;
        lo = Math.Max(lo - pad, lowest);
        hi = Math.Min(hi + pad, highest);
        double step = NiceStep((hi - lo) / targetTicks);
        double first = Math.Max(Math.Floor(lo / step) * step, lowest), last = Math.Min(Math.Ceiling(hi / step) * step, highest);
        var ticks = new List<double>();
        for (long k = (long)Math.Round(first / step); k * step <= last + step * 1e-9; k++) ticks.Add(Math.Round(k * step, 12));
        return new Scale(first, last, false, ticks);
    }

    /// <summary>A base-10 logarithmic scale covering positive values, with ticks at 1, 2 and 5 × powers of ten when few decades are shown.</summary>
    public static Scale Log(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0 && double.IsFinite(v)).ToList();
        if (positive.Count == 0) positive = [1];
        double lo = Math.Floor(Math.Log10(positive.Min())), hi = Math.Ceiling(Math.Log10(positive.Max()));
        if (hi <= lo) hi = lo + 1;
        var ticks = new List<double>();
        for (double e = lo; e <= hi; e++)
        {
            foreach (var m in hi - lo <= 2 ? new[] { 1.0, 2.0, 5.0 } : [1.0])
            {
                double t = m * Math.Pow(10, e);
                if (t <= Math.Pow(10, hi) * (1 + 1e-9)) ticks.Add(t);
            }
        }
        return new Scale(Math.Pow(10, lo), Math.Pow(10, hi), true, ticks);
    }

    /// <summary>The fraction of the axis (0 at <see cref="Min"/>, 1 at <see cref="Max"/>) where a value falls.</summary>
    public double Fraction(double value) => IsLog
        ? (Math.Log10(value) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
        : (value - Min) / (Max - Min);

    /// <summary>A tick label.</summary>
    public string Label(double value)
    {
        if (IsLog) return value.ToString(value is >= 1e-3 and < 1e4 ? "0.####" : "0e0", CultureInfo.InvariantCulture);
        double step = Ticks.Count > 1 ? Ticks[1] - Ticks[0] : 1;
        int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) + 1e-9));
        return Math.Round(value, Math.Min(decimals, 10)).ToString("F" + Math.Min(decimals, 10), CultureInfo.InvariantCulture);
    }

    private static double NiceStep(double raw)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double fraction = raw / power;
        double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
        return nice * power;
    }
}
