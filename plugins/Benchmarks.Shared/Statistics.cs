using Retain.Evaluation;

namespace Retain.Benchmarks;

/// <summary>Metric aggregation as lm-eval does it: the mean, with stderr = sample standard deviation / √n.</summary>
internal static class Statistics
{
    /// <summary>The mean of <paramref name="values"/> with its standard error (NaN below two values).</summary>
    public static MetricValue Mean(string name, IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0) return new MetricValue(name, double.NaN, double.NaN, 0);
        double mean = 0;
        foreach (var v in values) mean += v;
        mean /= n;
        return new MetricValue(name, mean, StdErr(values, mean), n);
    }

    /// <summary>The mean of booleans (1 for true).</summary>
    public static MetricValue Mean(string name, IReadOnlyList<bool> values) => Mean(name, values.Select(v => v ? 1.0 : 0.0).ToList());

    /// <summary>Sample standard deviation (n − 1 denominator) divided by √n.</summary>
    public static double StdErr(IReadOnlyList<double> values, double mean)
    {
        int n = values.Count;
        if (n < 2) return double.NaN;
        double sum = 0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (n - 1)) / Math.Sqrt(n);
    }
}
