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

    public double SecondsPerRun(ICpuGemm gemm, int m, int n, int k)
    {
        if ((long)m * k > _capacity || (long)n * k > _capacity || (long)m * n > _capacity) throw new ArgumentException("Shape exceeds the timer's buffers.");
        int reps = (int)Math.Max(1, FlopsPerSample / (2.0 * m * n * k));
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < reps; r++) gemm.Gemm(false, true, m, n, k, 1f, _a, k, _b, k, 0f, _c, n);
        return Stopwatch.GetElapsedTime(start).TotalSeconds / reps;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
    }
}
