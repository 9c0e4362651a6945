using Retain.Kernel.Backends;

namespace Retain.Kernel.Diagnostics;

/// <summary>One output of one op compared between two backends.</summary>
/// <param name="Op">The op and case, e.g. <c>Gemm (A, Bᵀ, beta 0)</c>.</param>
/// <param name="Output">The output compared.</param>
/// <param name="RelativeError">max |candidate − reference| / max |reference| (NaN or ∞ when the candidate left NaN).</param>
/// <param name="Tolerance">The bound it must stay within.</param>
/// <param name="Error">The exception message when the op threw, else null.</param>
public sealed record OpComparison(string Op, string Output, double RelativeError, double Tolerance, string? Error = null)
{
    /// <summary>Within tolerance (NaN never passes).</summary>
    public bool Passed => Error is null && RelativeError <= Tolerance;
}

/// <summary>Settings of a <see cref="BackendComparison"/>.</summary>
public sealed record BackendComparisonOptions
{
    /// <summary>Seed of the random inputs.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Bound for ops without GEMMs (fp32 arithmetic in a different order).</summary>
    public double Tolerance { get; init; } = 1e-5;

    /// <summary>Bound for ops built on GEMMs (Gemm, Linear, Attention): 1e-5 for fp32, 1e-2 for bf16 operands.</summary>
    public double MatmulTolerance { get; init; } = 1e-5;
}

/// <summary>
/// Runs every <see cref="IBackend"/> op on the same fresh random inputs on a reference backend (the CPU) and a
/// candidate (e.g. CUDA) and compares the outputs. Outputs the op overwrites are poisoned with NaN on both sides first,
/// so an element the candidate forgets to write fails; accumulated outputs start from the same random values. What
/// <c>retain doctor --verify</c> prints.
/// </summary>
public sealed partial class BackendComparison
{
    private readonly IBackend _reference;
    private readonly IBackend _candidate;
    private readonly BackendComparisonOptions _options;
    private readonly List<OpComparison> _results = [];
    private Random _random = new(1);

    /// <summary>Compares <paramref name="candidate"/> against <paramref name="reference"/>.</summary>
    public BackendComparison(IBackend reference, IBackend candidate, BackendComparisonOptions? options = null)
    {
        _reference = reference;
        _candidate = candidate;
        _options = options ?? new BackendComparisonOptions();
    }

    /// <summary>Runs every check; an op that throws is recorded as a failure with its message.</summary>
    public IReadOnlyList<OpComparison> Run()
    {
        _results.Clear();
        var checks = Checks();
        for (int i = 0; i < checks.Count; i++)
        {
            var (name, check) = checks[i];
            _random = new Random(_options.Seed * 7919 + i);
            try
            {
                check();
            }
            catch (Exception e)
            {
                _results.Add(new OpComparison(name, "-", double.PositiveInfinity, 0, $"{e.GetType().Name}: {e.Message}"));
            }
        }
        return _results.ToArray();
    }

    // ---- buffers on both backends ----

    /// <summary>The same data on both backends.</summary>
    private sealed class Twin<T>(DeviceBuffer<T> reference, DeviceBuffer<T> candidate) : IDisposable where T : unmanaged
    {
        public DeviceBuffer<T> R { get; } = reference;
        public DeviceBuffer<T> C { get; } = candidate;

        public void Dispose()
        {
            R.Dispose();
            C.Dispose();
        }
    }

    private Twin<float> Floats(float[] values)
    {
        var twin = new Twin<float>(_reference.Allocate(values.Length), _candidate.Allocate(values.Length));
        _reference.Upload(values, twin.R.View);
        _candidate.Upload(values, twin.C.View);
        return twin;
    }

    private Twin<float> Random(long count, float scale = 1f) => Floats(RandomValues(count, scale));

    private Twin<float> Poisoned(long count)
    {
        var twin = new Twin<float>(_reference.Allocate(count), _candidate.Allocate(count));
        _reference.Fill(twin.R.View, float.NaN);
        _candidate.Fill(twin.C.View, float.NaN);
        return twin;
    }

    private Twin<int> Ints(int[] values)
    {
        var twin = new Twin<int>(_reference.AllocateInt(values.Length), _candidate.AllocateInt(values.Length));
        _reference.Upload(values, twin.R.View);
        _candidate.Upload(values, twin.C.View);
        return twin;
    }

    private float[] RandomValues(long count, float scale = 1f)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++) values[i] = (float)(_random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    private int[] RandomInts(int count, int below)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = _random.Next(below);
        return values;
    }

    private static float[] Read(IBackend backend, DeviceBuffer<float> buffer)
    {
        var host = new float[buffer.Length];
        backend.Download(buffer.View, host);
        return host;
    }

    // ---- comparisons ----

    /// <summary>max |c − r| / max |r| over the elements <paramref name="include"/> selects (all when null); ∞ when either side has NaN there.</summary>
    public static double RelativeError(ReadOnlySpan<float> reference, ReadOnlySpan<float> candidate, Func<long, bool>? include = null)
    {
        if (reference.Length != candidate.Length) return double.PositiveInfinity;
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < reference.Length; i++)
        {
            if (include is not null && !include(i)) continue;
            double r = reference[i], c = candidate[i];
            if (double.IsNaN(r) || double.IsNaN(c) || double.IsInfinity(c) != double.IsInfinity(r)) return double.PositiveInfinity;
            if (double.IsInfinity(r)) continue;
            maxDiff = Math.Max(maxDiff, Math.Abs(c - r));
            maxRef = Math.Max(maxRef, Math.Abs(r));
        }
        return maxRef > 0 ? maxDiff / maxRef : maxDiff;
    }

    private void Compare(string op, string output, Twin<float> twin, bool matmul = false, Func<long, bool>? include = null)
    {
        double error = RelativeError(Read(_reference, twin.R), Read(_candidate, twin.C), include);
        _results.Add(new OpComparison(op, output, error, matmul ? _options.MatmulTolerance : _options.Tolerance));
    }

    private void CompareInts(string op, string output, Twin<int> twin)
    {
        var r = new int[twin.R.Length];
        var c = new int[twin.C.Length];
        _reference.Download(twin.R.View, r);
        _candidate.Download(twin.C.View, c);
        _results.Add(new OpComparison(op, output, r.AsSpan().SequenceEqual(c) ? 0 : double.PositiveInfinity, _options.Tolerance));
    }

    private void CompareScalar(string op, double reference, double candidate)
    {
        double error = double.IsNaN(candidate) || double.IsNaN(reference) ? double.PositiveInfinity
            : Math.Abs(candidate - reference) / Math.Max(Math.Abs(reference), double.Epsilon);
        _results.Add(new OpComparison(op, "result", error, _options.Tolerance));
    }

    /// <summary>Runs <paramref name="op"/> on both backends (reference first) with each side's buffers.</summary>
    private void Both(Action<IBackend, Func<Twin<float>, BufferView<float>>, Func<Twin<int>, BufferView<int>>> op)
    {
        op(_reference, t => t.R.View, t => t.R.View);
        op(_candidate, t => t.C.View, t => t.C.View);
    }
}
