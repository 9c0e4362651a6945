using System.Globalization;

namespace Retain.Hosting.Reports.Summaries;

/// <summary>A mean with its standard error over <see cref="Count"/> values (NaN standard error for fewer than two).</summary>
public readonly record struct Estimate(double Mean, double StdErr, int Count)
{
    /// <summary>Mean and standard error of the mean (sample standard deviation / √n).</summary>
    public static Estimate Of(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return new Estimate(double.NaN, double.NaN, 0);
        double mean = finite.Average();
        if (finite.Count < 2) return new Estimate(mean, double.NaN, finite.Count);
        double variance = finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1);
        return new Estimate(mean, Math.Sqrt(variance / finite.Count), finite.Count);
    }

    /// <summary>The binomial standard error √(p(1−p)/n) of an accuracy measured on <paramref name="n"/> items.</summary>
    public static double Binomial(double p, int n) => n > 0 && double.IsFinite(p) ? Math.Sqrt(Math.Clamp(p, 0, 1) * (1 - Math.Clamp(p, 0, 1)) / n) : double.NaN;

    /// <summary><c>0.6900 ± 0.0123</c>; the mean alone when there is no standard error.</summary>
    public override string ToString() => Format(Mean, StdErr);

    /// <summary>A value with its standard error, four decimals as the paper prints them.</summary>
    public static string Format(double value, double stdErr) =>
        !double.IsFinite(value) ? "–" : double.IsFinite(stdErr)
            ? string.Create(CultureInfo.InvariantCulture, $"{value:0.0000} ± {stdErr:0.0000}")
            : value.ToString("0.0000", CultureInfo.InvariantCulture);
}

/// <summary>The difference of two estimates and whether it exceeds twice its standard error.</summary>
public readonly record struct Difference(double Value, double StdErr)
{
    /// <summary>a − b with √(se_a² + se_b²).</summary>
    public static Difference Between(Estimate a, Estimate b) => new(a.Mean - b.Mean, Math.Sqrt(a.StdErr * a.StdErr + b.StdErr * b.StdErr));

    /// <summary>Whether the standard error is known (both sides had two or more seeds).</summary>
    public bool Measurable => double.IsFinite(StdErr) && double.IsFinite(Value);

    /// <summary>Greater than zero by more than 2 standard errors (≈ 95 %).</summary>
    public bool ClearlyPositive => Measurable && Value > 2 * StdErr;

    /// <summary>Less than zero by more than 2 standard errors.</summary>
    public bool ClearlyNegative => Measurable && Value < -2 * StdErr;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(Value >= 0 ? "+" : "−")}{Math.Abs(Value):0.0000} ± {StdErr:0.0000}");
}
