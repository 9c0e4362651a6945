using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Retain.Kernel.Diagnostics;

/// <summary>
/// The machine's own limits for a roofline: peak FP32 FMA throughput (a register-resident loop of independent
/// Vector512 or Vector256 fused multiply-adds on every thread) and STREAM-style triad bandwidth (a = b + s·c over
/// arrays far larger than the caches, 12 bytes per element counted as STREAM does, without write-allocate traffic). The
/// triad runs with ordinary stores, with streaming (non-temporal) stores, and in place (a = a + s·c, the pattern of an
/// optimizer update, which writes only lines it has read), and the fastest counts: with ordinary stores the CPU also
/// reads each line of a before writing it (16 bytes moved for 12 counted), so the ordinary triad alone understated the
/// bandwidth AdamW reached (2026-12-02, this 2-core VM: triad 47 GB/s, AdamW's 7 streams 79 GB/s).
/// Each is the best of several repeats, so a noisy stretch of a shared machine lowers a limit only if it lasts.
/// </summary>
public static unsafe class MachineLimits
{
    private const int Accumulators = 12;
    private static float s_sink;

    /// <summary>Peak FP32 FLOP/s on <paramref name="threads"/> threads and the vector width in bits it used.</summary>
    public static (double FlopsPerSecond, int VectorBits) PeakFma(int threads, int repeats = 3, long iterations = 20_000_000)
    {
        int bits = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128;
        int lanes = bits / 32;
        double best = 0;
        for (int r = 0; r < repeats; r++)
        {
            double seconds = OnThreads(threads, _ => s_sink += bits == 512 ? Fma512(iterations) : bits == 256 ? Fma256(iterations) : Fma128(iterations));
            best = Math.Max(best, threads * iterations * Accumulators * lanes * 2.0 / seconds);
        }
        return (best, bits);
    }

    /// <summary>Triad bandwidth in bytes/s on <paramref name="threads"/> threads over three arrays of <paramref name="elements"/> floats.</summary>
    public static double TriadBandwidth(int threads, int repeats = 5, long elements = 8L << 20)
    {
        float* a = (float*)NativeMemory.AlignedAlloc((nuint)(elements * sizeof(float)), 64);
        float* b = (float*)NativeMemory.AlignedAlloc((nuint)(elements * sizeof(float)), 64);
        float* c = (float*)NativeMemory.AlignedAlloc((nuint)(elements * sizeof(float)), 64);
        try
        {
            // Touch every page on the thread that will use it (first-touch placement), untimed.
            OnThreads(threads, t => Slice(t, threads, elements, (start, count) =>
            {
                new Span<float>(a + start, (int)count).Fill(0);
                new Span<float>(b + start, (int)count).Fill(1);
                new Span<float>(c + start, (int)count).Fill(2);
            }));
            double best = 0;
            for (int r = 0; r < repeats; r++)
            {
                double seconds = OnThreads(threads, t => Slice(t, threads, elements, (start, count) =>
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(c + start, (int)count), 3f, new ReadOnlySpan<float>(b + start, (int)count), new Span<float>(a + start, (int)count))));
                best = Math.Max(best, 3.0 * sizeof(float) * elements / seconds);
                if (!Avx.IsSupported) continue;
                seconds = OnThreads(threads, t => Slice(t, threads, elements, (start, count) => Triad(a + start, b + start, c + start, count, 3f)));
                best = Math.Max(best, 3.0 * sizeof(float) * elements / seconds);
                seconds = OnThreads(threads, t => Slice(t, threads, elements, (start, count) => Triad(a + start, a + start, c + start, count, 1e-30f, streaming: false)));
                best = Math.Max(best, 3.0 * sizeof(float) * elements / seconds);
            }
            s_sink += a[elements - 1];
            return best;
        }
        finally
        {
            NativeMemory.AlignedFree(a);
            NativeMemory.AlignedFree(b);
            NativeMemory.AlignedFree(c);
        }
    }

    /// <summary>a = b + s·c, with non-temporal stores of a when <paramref name="streaming"/> (scalar until a is 32-byte aligned, then Vector256).</summary>
    private static void Triad(float* a, float* b, float* c, long count, float s, bool streaming = true)
    {
        long i = 0;
        for (; i < count && ((nint)(a + i) & 31) != 0; i++) a[i] = b[i] + s * c[i];
        var scale = Vector256.Create(s);
        if (streaming)
        {
            for (; i + 8 <= count; i += 8) Avx.StoreAlignedNonTemporal(a + i, Vector256.Load(b + i) + scale * Vector256.Load(c + i));
        }
        else
        {
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(b + i) + scale * Vector256.Load(c + i), a + i);
        }
        for (; i < count; i++) a[i] = b[i] + s * c[i];
    }

    private static void Slice(int thread, int threads, long elements, Action<long, long> body)
    {
        long per = (elements + threads - 1) / threads;
        long start = thread * per;
        long count = Math.Min(per, elements - start);
        // Spans take int lengths: walk the slice in chunks of at most 2^30 floats.
        for (long offset = 0; offset < count; offset += 1L << 30) body(start + offset, Math.Min(1L << 30, count - offset));
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> threads released together; returns the wall time until all finish.</summary>
    private static double OnThreads(int threads, Action<int> body)
    {
        using var ready = new CountdownEvent(threads);
        using var go = new ManualResetEventSlim(false);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                ready.Signal();
                go.Wait();
                body(index);
            }) { IsBackground = true };
            workers[t].Start();
        }
        ready.Wait();
        long start = Stopwatch.GetTimestamp();
        go.Set();
        foreach (var w in workers) w.Join();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(long iterations)
    {
        var x = Vector512.Create(0.999f);
        var y = Vector512.Create(0.001f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(long iterations)
    {
        var x = Vector256.Create(0.999f);
        var y = Vector256.Create(0.001f);
        Vector256<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, x, y); a1 = Vector256.FusedMultiplyAdd(a1, x, y);
            a2 = Vector256.FusedMultiplyAdd(a2, x, y); a3 = Vector256.FusedMultiplyAdd(a3, x, y);
            a4 = Vector256.FusedMultiplyAdd(a4, x, y); a5 = Vector256.FusedMultiplyAdd(a5, x, y);
            a6 = Vector256.FusedMultiplyAdd(a6, x, y); a7 = Vector256.FusedMultiplyAdd(a7, x, y);
            a8 = Vector256.FusedMultiplyAdd(a8, x, y); a9 = Vector256.FusedMultiplyAdd(a9, x, y);
            a10 = Vector256.FusedMultiplyAdd(a10, x, y); a11 = Vector256.FusedMultiplyAdd(a11, x, y);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma128(long iterations)
    {
        var x = Vector128.Create(0.999f);
        var y = Vector128.Create(0.001f);
        Vector128<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(a0, x, y); a1 = Vector128.FusedMultiplyAdd(a1, x, y);
            a2 = Vector128.FusedMultiplyAdd(a2, x, y); a3 = Vector128.FusedMultiplyAdd(a3, x, y);
            a4 = Vector128.FusedMultiplyAdd(a4, x, y); a5 = Vector128.FusedMultiplyAdd(a5, x, y);
            a6 = Vector128.FusedMultiplyAdd(a6, x, y); a7 = Vector128.FusedMultiplyAdd(a7, x, y);
            a8 = Vector128.FusedMultiplyAdd(a8, x, y); a9 = Vector128.FusedMultiplyAdd(a9, x, y);
            a10 = Vector128.FusedMultiplyAdd(a10, x, y); a11 = Vector128.FusedMultiplyAdd(a11, x, y);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
