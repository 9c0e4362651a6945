namespace Retain.Kernel.Tests.Reference;

/// <summary>Random inputs, finite differences and error measures shared by the numerical tests.</summary>
internal static class Numerics
{
    public static double[] Random(int n, int seed, double scale = 1)
    {
        var rng = new System.Random(seed);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (rng.NextDouble() * 2 - 1) * scale;
        return x;
    }

    public static float[] ToFloat(double[] x) => x.Select(v => (float)v).ToArray();

    public static double[] ToDouble(float[] x) => x.Select(v => (double)v).ToArray();

    /// <summary>max |a − b| / max(max |b|, floor): the error measure of every numerical test.</summary>
    public static double RelativeError(float[] actual, double[] expected, double floor = 1e-6)
    {
        actual.Length.ShouldBe(expected.Length);
        double maxDiff = 0, maxRef = floor;
        for (int i = 0; i < actual.Length; i++)
        {
            if (!double.IsFinite(actual[i])) return double.PositiveInfinity;
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    public static double RelativeError(double[] actual, double[] expected, double floor = 1e-12)
    {
        actual.Length.ShouldBe(expected.Length);
        double maxDiff = 0, maxRef = floor;
        for (int i = 0; i < actual.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs(actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    /// <summary>Central finite differences of f at x (float64), for every coordinate.</summary>
    public static double[] FiniteDifference(Func<double[], double> f, double[] x, double h = 1e-6)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double keep = x[i];
            x[i] = keep + h;
            double plus = f(x);
            x[i] = keep - h;
            double minus = f(x);
            x[i] = keep;
            g[i] = (plus - minus) / (2 * h);
        }
        return g;
    }

    /// <summary>Asserts bitwise equality without printing whole arrays.</summary>
    public static void ShouldBeBitwiseEqual(float[] actual, float[] expected, string what = "values")
    {
        actual.Length.ShouldBe(expected.Length, what);
        int mismatches = 0, first = -1;
        for (int i = 0; i < actual.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]))
            {
                if (first < 0) first = i;
                mismatches++;
            }
        }
        if (mismatches > 0) throw new ShouldAssertException($"{what}: {mismatches} of {actual.Length} differ; first at {first}: {actual[first]} vs {expected[first]}.");
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
