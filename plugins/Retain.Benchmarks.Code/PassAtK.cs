namespace Retain.Benchmarks.Code;

/// <summary>The unbiased pass@k estimator of Chen et al. (2021), as HF <c>code_eval</c> computes it.</summary>
public static class PassAtK
{
    /// <summary>
    /// 1 − C(n−c, k)/C(n, k) for n samples of which c passed, computed as 1 − ∏_{i=n−c+1}^{n} (1 − k/i); 1 when
    /// n − c &lt; k.
    /// </summary>
    public static double Estimate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, k);
        if (c < 0 || c > n) throw new ArgumentOutOfRangeException(nameof(c), $"c={c} must lie in [0, n={n}].");
        if (n - c < k) return 1.0;
        double product = 1.0;
        for (int i = n - c + 1; i <= n; i++) product *= 1.0 - (double)k / i;
        return 1.0 - product;
    }
}
