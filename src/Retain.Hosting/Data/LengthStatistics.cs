namespace Retain.Hosting.Data;

/// <summary>Summary of token lengths.</summary>
public sealed record LengthStatistics(int Count, double Mean, int Min, int P50, int P90, int P99, int Max)
{
    /// <summary>Nearest-rank percentiles of the values.</summary>
    public static LengthStatistics Of(IEnumerable<int> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return new LengthStatistics(0, 0, 0, 0, 0, 0, 0);
        int Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LengthStatistics(sorted.Length, sorted.Average(), sorted[0], Rank(0.5), Rank(0.9), Rank(0.99), sorted[^1]);
    }
}
