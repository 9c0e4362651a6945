using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// Wall-clock GEMM timing on buffers of random values. Small products are repeated within one sample until it holds
/// about 20 MFLOP, so that a sample is long against the clock's resolution and the call overhead is still counted.
/// </summary>
internal sealed unsafe class StopwatchGemmTimer : IGemmTimer, IDisposable
{
    private const double FlopsPerSample = 20e6;
    private readonly float* _a, _b, _c;
    private readonly long _capacity;

    public StopwatchGemmTimer(long maxElements)
    {
        _capacity = maxElements;
        _a = (float*)NativeMemory.AlignedAlloc((nuint)(maxElements * sizeof(float)), 64);
        _b = (float*)NativeMemory.AlignedAlloc((nuint)(maxElements * sizeof(float)), 64);
        _c = (float*)NativeMemory.AlignedAlloc((nuint)(maxElements * sizeof(float)), 64);
        var random = new Random(1);
        for (long i = 0; i < maxElements; i++)
        {
            _a[i] = (float)(random.NextDouble() - 0.5);
            _b[i] = (float)(random.NextDouble() - 0.5);
            _c[i] = 0;
        }
    }

    public double SecondsPerRun(ICpuGemm gemm, bool transposeA, bool transposeB, int m, int n, int k)
    {
        if ((long)m * k > _capacity || (long)n * k > _capacity || (long)m * n > _capacity) throw new ArgumentException("Shape exceeds the timer's buffers.");
        int reps = (int)Math.Max(1, FlopsPerSample / (2.0 * m * n * k));
        long start = Stopwatch.GetTimestamp();
        // Row-major leading dimensions of op(A) = m × k and op(B) = k × n as stored.
        int lda = transposeA ? m : k, ldb = transposeB ? k : n;
        for (int r = 0; r < reps; r++) gemm.Gemm(transposeA, transposeB, m, n, k, 1f, _a, lda, _b, ldb, 0f, _c, n);
        return Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }
}
