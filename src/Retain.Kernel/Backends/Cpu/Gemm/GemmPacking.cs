using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// Packing of GEMM operands into the layouts the micro-kernels stream: A into MR-high strips (packA[p][r]) and B into
/// NR-wide strips (packB[p][x]). Transposing packs go through 8 × 8 AVX transposes: scalar strided stores made packing
/// a quarter of the time of a 256-row GEMM. Values are only moved, never combined, so every path gives the same bits.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs columns [col0, col0 + nc) × k [pc, pc + kc) of op(B) into ⌈nc / nr⌉ strips of kc × nr (zero-padded), the
    /// strip s at dst + s·nr·kc.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackBPanel(bool transposeB, float* b, int ldb, int col0, int nc, int pc, int kc, int nr, float* dst)
    {
        int strips = (nc + nr - 1) / nr;
        int full = nc / nr;
        if (!transposeB && full > 0)
        {
            // Rows of B are read front to back (strided reads of nr floats per strip missed the cache).
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (long)(pc + p) * ldb + col0;
                float* d = dst + (long)p * nr;
                for (int s = 0; s < full; s++, src += nr, d += (long)nr * kc)
                {
                    for (int x = 0; x < nr; x += 8) Vector256.Store(Vector256.Load(src + x), d + x);
                }
            }
            if (full < strips) PackBStrip(false, b, ldb, col0 + full * nr, nc - full * nr, pc, kc, nr, dst + (long)full * nr * kc);
            return;
        }
        for (int s = 0; s < strips; s++) PackBStrip(transposeB, b, ldb, col0 + s * nr, Math.Min(nr, nc - s * nr), pc, kc, nr, dst + (long)s * nr * kc);
    }

    /// <summary>dst[p][0..nr) = op(B)[pc + p][col0 + 0..cols), zero-padded to nr.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBStrip(bool transposeB, float* b, int ldb, int col0, int cols, int pc, int kc, int nr, float* dst)
    {
        if (!transposeB)
        {
            for (int p = 0; p < kc; p++)
            {
                float* src = b + (long)(pc + p) * ldb + col0;
                float* d = dst + (long)p * nr;
                int x = 0;
                for (; x + 8 <= cols; x += 8) Vector256.Store(Vector256.Load(src + x), d + x);
                for (; x < cols; x++) d[x] = src[x];
                for (; x < nr; x++) d[x] = 0;
            }
            return;
        }
        int p8 = 0;
        if (Avx.IsSupported && cols == nr)
        {
            // Eight columns of op(B) (rows of B) × eight k at a time.
            for (; p8 + 8 <= kc; p8 += 8)
            {
                for (int x = 0; x < nr; x += 8)
                {
                    float* src = b + (long)(col0 + x) * ldb + pc + p8;
                    Transpose8x8Store(src, ldb, 8, dst + (long)p8 * nr + x, nr);
                }
            }
        }
        for (int x = 0; x < cols; x++)
        {
            float* src = b + (long)(col0 + x) * ldb + pc;
            for (int p = p8; p < kc; p++) dst[(long)p * nr + x] = src[p];
        }
        for (int x = cols; x < nr; x++)
        {
            for (int p = p8; p < kc; p++) dst[(long)p * nr + x] = 0;
        }
    }

    /// <summary>Packs rows [i0, i0 + mc) × [pc, pc + kc) of op(A) into strips of <paramref name="mr"/> rows: packA[strip][p][r], zero-padded.</summary>
    /// <remarks>The buffer needs 8 floats of slack after the last strip (vector stores run past a strip's end; later strips overwrite them).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transposeA, float* a, int lda, int i0, int mc, int pc, int kc, int mr, float* packA)
    {
        for (int ir = 0; ir < mc; ir += mr)
        {
            int rows = Math.Min(mr, mc - ir);
            float* dst = packA + (long)ir * kc;
            if (!transposeA)
            {
                int p8 = 0;
                if (Avx.IsSupported && mr <= 8)
                {
                    // Rows beyond `rows` read as zeros; each 8-float store of a k column runs 8 - mr floats into the next, which the next store overwrites.
                    for (; p8 + 8 <= kc; p8 += 8)
                    {
                        Transpose8x8Store(a + (long)(i0 + ir) * lda + pc + p8, lda, rows, dst + (long)p8 * mr, mr);
                    }
                }
                for (int r = 0; r < mr; r++)
                {
                    float* src = a + (long)(i0 + ir + r) * lda + pc;
                    if (r < rows)
                    {
                        for (int p = p8; p < kc; p++) dst[p * mr + r] = src[p];
                    }
                    else
                    {
                        for (int p = p8; p < kc; p++) dst[p * mr + r] = 0;
                    }
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = a + (long)(pc + p) * lda + i0 + ir;
                    float* d = dst + p * mr;
                    int r = 0;
                    if (rows >= 4)
                    {
                        Vector128.Store(Vector128.Load(src), d);
                        r = 4;
                    }
                    for (; r < rows; r++) d[r] = src[r];
                    for (; r < mr; r++) d[r] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="rows"/> rows of 8 floats (stride <paramref name="stride"/>; missing rows are zeros) and
    /// stores column j as 8 floats at dst + j·<paramref name="dstStride"/>, in increasing j.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8Store(float* src, int stride, int rows, float* dst, int dstStride)
    {
        Vector256<float> r0 = Vector256.Load(src);
        Vector256<float> r1 = rows > 1 ? Vector256.Load(src + stride) : default;
        Vector256<float> r2 = rows > 2 ? Vector256.Load(src + 2L * stride) : default;
        Vector256<float> r3 = rows > 3 ? Vector256.Load(src + 3L * stride) : default;
        Vector256<float> r4 = rows > 4 ? Vector256.Load(src + 4L * stride) : default;
        Vector256<float> r5 = rows > 5 ? Vector256.Load(src + 5L * stride) : default;
        Vector256<float> r6 = rows > 6 ? Vector256.Load(src + 6L * stride) : default;
        Vector256<float> r7 = rows > 7 ? Vector256.Load(src + 7L * stride) : default;
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + dstStride);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2 * dstStride);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3 * dstStride);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4 * dstStride);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5 * dstStride);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6 * dstStride);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7 * dstStride);
    }
}
