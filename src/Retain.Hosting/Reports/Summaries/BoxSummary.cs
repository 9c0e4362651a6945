namespace Retain.Hosting.Reports.Summaries;

/// <summary>Five-number summary of a sample, with whiskers at 1.5 IQR as matplotlib draws them.</summary>
/// <param name="Label">Category label.</param>
/// <param name="Q1">First quartile.</param>
/// <param name="Median">Median.</param>
/// <param name="Q3">Third quartile.</param>
/// <param name="WhiskerLow">Lowest value within Q1 − 1.5·IQR.</param>
/// <param name="WhiskerHigh">Highest value within Q3 + 1.5·IQR.</param>
/// <param name="Count">Sample size.</param>
public sealed record BoxSummary(string Label, double Q1, double Median, double Q3, double WhiskerLow, double WhiskerHigh, int Count)
{
    /// <summary>Summarises a sample (linear-interpolation quantiles, numpy's default).</summary>
    public static BoxSummary Of(string label, IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return new BoxSummary(label, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double q1 = Quantile(sorted, 0.25), median = Quantile(sorted, 0.5), q3 = Quantile(sorted, 0.75), iqr = q3 - q1;
        double low = sorted.First(v => v >= q1 - 1.5 * iqr), high = sorted.Last(v => v <= q3 + 1.5 * iqr);
        return new BoxSummary(label, q1, median, q3, low, high, sorted.Length);
    }

    /// <summary>numpy's linear-interpolation quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
