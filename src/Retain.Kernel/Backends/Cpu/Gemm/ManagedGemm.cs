using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// A BLIS-style packed GEMM in managed code. C is cut into blocks of columns (or rows, when C is tall and narrow), one
/// task per block; each task runs the whole loop nest on its block with thread-local packing buffers: B panels of
/// KC × NC packed into NR-wide strips, A blocks of MC × KC packed into MR-high strips, and an MR × NR register-tiled
/// micro-kernel (6 × 16 with Vector256 FMAs, 6 × 32 with Vector512). One hand-off per GEMM; every element of C is
/// accumulated over k in the same order whatever the split, so results do not depend on the thread count. Short A
/// (m ≤ 4, as in token-by-token decoding) skips packing and uses dot products / row updates.
/// </summary>
internal sealed unsafe class ManagedGemm : ICpuGemm
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 144;
    private const int NC = 2048;

    /// <summary>Up to this many rows of A, products skip packing (dot products / row updates).</summary>
    public const int SmallM = 4;

    /// <summary>
    /// The size rule for splitting C when no calibration decides: work per task (and below it, a GEMM stays on the
    /// calling thread). A calibrated backend instead times each shape class split and on one thread
    /// (<see cref="SplitRule.Always"/> against <see cref="SingleThreadGemm"/>).
    /// </summary>
    private const double FlopsPerTask = 2e6;

    /// <summary>How a GEMM on the workers is cut into tasks.</summary>
    public enum SplitRule
    {
        /// <summary>One task per <see cref="FlopsPerTask"/> of work, up to two per thread.</summary>
        BySize,
        /// <summary>Two tasks per thread whatever the size (the calibration decides which products go to one thread).</summary>
        Always,
    }

    [ThreadStatic] private static nint t_packA;
    [ThreadStatic] private static nint t_packB;
    [ThreadStatic] private static long t_packBCapacity;

    private readonly CpuWorkers _workers;
    private readonly bool _wide;
    private readonly SplitRule _split;

    /// <summary>Whether the micro-kernel is the Vector512 one.</summary>
    public bool Wide => _wide;

    /// <param name="workers">The backend's workers.</param>
    /// <param name="vectorWidth">256 or 512 bits; 0 picks 512 when Vector512 is hardware-accelerated.</param>
    /// <param name="split">How products on the workers are cut into tasks.</param>
    public ManagedGemm(CpuWorkers workers, int vectorWidth = 0, SplitRule split = SplitRule.BySize)
    {
        _workers = workers;
        _split = split;
        if (vectorWidth == 0) vectorWidth = Vector512.IsHardwareAccelerated ? 512 : 256;
        if (vectorWidth is not (256 or 512)) throw new ArgumentOutOfRangeException(nameof(vectorWidth), "Vector width must be 256 or 512 bits.");
        _wide = vectorWidth == 512;
    }

    public string Name => _wide ? "managed-vector512" : "managed-vector256";

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Run(_workers, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, _split);

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Run(null, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => new(0, _wide, 0);

    private struct Job
    {
        public bool TransposeA, TransposeB, Wide, SplitColumns;
        public int M, N, K, Lda, Ldb, Ldc, BlockSize;
        public float Alpha, Beta;
        public float* A, B, C;
    }

    /// <summary>The GEMM on <paramref name="workers"/>, or on the calling thread when null.</summary>
    internal static void Run(CpuWorkers? workers, bool wide, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc, SplitRule split = SplitRule.BySize)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (m <= SmallM)
        {
            SmallGemm(workers, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        int nr = wide ? 32 : 16;
        double flops = 2.0 * m * n * k;
        // Each task packs its own copy of the operand it shares with the others, so one task per thread (two for load
        // balance on a busy machine); the split never changes the bits of C.
        int tasks = workers is null || workers.ThreadCount == 1 ? 1
            : split == SplitRule.Always ? 2 * workers.ThreadCount
            : (int)Math.Clamp(flops / FlopsPerTask, 1, 2 * workers.ThreadCount);
        bool splitColumns = (long)n * 2 >= m;
        int unit = splitColumns ? nr : MR;
        int extent = splitColumns ? n : m;
        int units = (extent + unit - 1) / unit;
        int perTask = (units + tasks - 1) / tasks * unit;
        tasks = (extent + perTask - 1) / perTask;
        var job = new Job
        {
            TransposeA = transposeA, TransposeB = transposeB, Wide = wide, SplitColumns = splitColumns, M = m, N = n, K = k, Lda = lda, Ldb = ldb,
            Ldc = ldc, BlockSize = perTask, Alpha = alpha, Beta = beta, A = a, B = b, C = c,
        };
        if (tasks == 1 || workers is null)
        {
            for (int t = 0; t < tasks; t++) Task(&job, t);
        }
        else
        {
            workers.Run(tasks, &Task, &job);
        }
    }

    private static void Task(void* state, int task)
    {
        ref Job j = ref *(Job*)state;
        int start = task * j.BlockSize;
        if (j.SplitColumns)
        {
            int cols = Math.Min(j.BlockSize, j.N - start);
            float* b = j.TransposeB ? j.B + (long)start * j.Ldb : j.B + start;
            Block(ref j, j.M, cols, j.A, b, j.C + start);
        }
        else
        {
            int rows = Math.Min(j.BlockSize, j.M - start);
            float* a = j.TransposeA ? j.A + start : j.A + (long)start * j.Lda;
            Block(ref j, rows, j.N, a, j.B, j.C + (long)start * j.Ldc);
        }
    }

    /// <summary>The full loop nest for an m × n block of C on the calling thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block(ref Job j, int m, int n, float* a, float* b, float* c)
    {
        int nr = j.Wide ? 32 : 16;
        float* packA = ThreadPackA();
        float* tile = stackalloc float[MR * 32];
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int strips = (nc + nr - 1) / nr;
            float* packB = ThreadPackB((long)strips * nr * KC);
            for (int pc = 0; pc < j.K; pc += KC)
            {
                int kc = Math.Min(KC, j.K - pc);
                bool first = pc == 0;
                GemmPacking.PackBPanel(j.TransposeB, b, j.Ldb, jc, nc, pc, kc, nr, packB);
                for (int ic = 0; ic < m; ic += MC)
                {
                    int mc = Math.Min(MC, m - ic);
                    GemmPacking.PackA(j.TransposeA, a, j.Lda, ic, mc, pc, kc, MR, packA);
                    for (int s = 0; s < strips; s++)
                    {
                        int cols = Math.Min(nr, nc - s * nr);
                        float* bStrip = packB + (long)s * nr * kc;
                        for (int ir = 0; ir < mc; ir += MR)
                        {
                            int rows = Math.Min(MR, mc - ir);
                            float* target = c + (long)(ic + ir) * j.Ldc + jc + s * nr;
                            if (!j.Wide && rows == MR && cols == nr)
                            {
                                // Full tiles are merged into C straight from the registers.
                                Kernel256Direct(kc, packA + (long)ir * kc, bStrip, target, j.Ldc, j.Alpha, first ? j.Beta : 1f);
                                continue;
                            }
                            if (j.Wide) Kernel512(kc, packA + (long)ir * kc, bStrip, tile);
                            else Kernel256(kc, packA + (long)ir * kc, bStrip, tile);
                            Store(tile, nr, target, j.Ldc, rows, cols, j.Alpha, j.Beta, first);
                        }
                    }
                }
            }
        }
    }

    private static float* ThreadPackA()
    {
        if (t_packA == 0) t_packA = (nint)NativeMemory.AlignedAlloc((nuint)((MC + MR) * KC * sizeof(float)), 64);
        return (float*)t_packA;
    }

    private static float* ThreadPackB(long floats)
    {
        if (floats > t_packBCapacity)
        {
            if (t_packB != 0) NativeMemory.AlignedFree((void*)t_packB);
            t_packB = (nint)NativeMemory.AlignedAlloc((nuint)(floats * sizeof(float)), 64);
            t_packBCapacity = floats;
        }
        return (float*)t_packB;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256(int kc, float* a, float* b, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(av, b0, c00); c01 = Vector256.MultiplyAddEstimate(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(av, b0, c10); c11 = Vector256.MultiplyAddEstimate(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(av, b0, c20); c21 = Vector256.MultiplyAddEstimate(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(av, b0, c30); c31 = Vector256.MultiplyAddEstimate(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(av, b0, c40); c41 = Vector256.MultiplyAddEstimate(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(av, b0, c50); c51 = Vector256.MultiplyAddEstimate(av, b1, c51);
            a += MR;
            b += 16;
        }
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
    }

    /// <summary>The 6 × 16 kernel writing C = alpha·acc + prior·C (C not read when prior is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel256Direct(int kc, float* a, float* b, float* c, int ldc, float alpha, float prior)
    {
        if (Sse.IsSupported)
        {
            // The tile of C is read (or written) only after the k loop; fetching its lines now hides the miss.
            float* row = c;
            for (int r = 0; r < MR; r++, row += ldc)
            {
                Sse.Prefetch0(row);
                Sse.Prefetch0(row + 15);
            }
        }
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var av = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(av, b0, c00); c01 = Vector256.MultiplyAddEstimate(av, b1, c01);
            av = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(av, b0, c10); c11 = Vector256.MultiplyAddEstimate(av, b1, c11);
            av = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(av, b0, c20); c21 = Vector256.MultiplyAddEstimate(av, b1, c21);
            av = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(av, b0, c30); c31 = Vector256.MultiplyAddEstimate(av, b1, c31);
            av = Vector256.Create(a[4]);
            c40 = Vector256.MultiplyAddEstimate(av, b0, c40); c41 = Vector256.MultiplyAddEstimate(av, b1, c41);
            av = Vector256.Create(a[5]);
            c50 = Vector256.MultiplyAddEstimate(av, b0, c50); c51 = Vector256.MultiplyAddEstimate(av, b1, c51);
            a += MR;
            b += 16;
        }
        var al = Vector256.Create(alpha);
        if (prior == 0f)
        {
            (c00 * al).Store(c); (c01 * al).Store(c + 8); c += ldc;
            (c10 * al).Store(c); (c11 * al).Store(c + 8); c += ldc;
            (c20 * al).Store(c); (c21 * al).Store(c + 8); c += ldc;
            (c30 * al).Store(c); (c31 * al).Store(c + 8); c += ldc;
            (c40 * al).Store(c); (c41 * al).Store(c + 8); c += ldc;
            (c50 * al).Store(c); (c51 * al).Store(c + 8);
            return;
        }
        var pr = Vector256.Create(prior);
        Merge(c, c00, c01, al, pr); c += ldc;
        Merge(c, c10, c11, al, pr); c += ldc;
        Merge(c, c20, c21, al, pr); c += ldc;
        Merge(c, c30, c31, al, pr); c += ldc;
        Merge(c, c40, c41, al, pr); c += ldc;
        Merge(c, c50, c51, al, pr);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alpha, Vector256<float> prior)
    {
        (x0 * alpha + Vector256.Load(c) * prior).Store(c);
        (x1 * alpha + Vector256.Load(c + 8) * prior).Store(c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel512(int kc, float* a, float* b, float* tile)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]);
            c00 = Vector512.MultiplyAddEstimate(av, b0, c00); c01 = Vector512.MultiplyAddEstimate(av, b1, c01);
            av = Vector512.Create(a[1]);
            c10 = Vector512.MultiplyAddEstimate(av, b0, c10); c11 = Vector512.MultiplyAddEstimate(av, b1, c11);
            av = Vector512.Create(a[2]);
            c20 = Vector512.MultiplyAddEstimate(av, b0, c20); c21 = Vector512.MultiplyAddEstimate(av, b1, c21);
            av = Vector512.Create(a[3]);
            c30 = Vector512.MultiplyAddEstimate(av, b0, c30); c31 = Vector512.MultiplyAddEstimate(av, b1, c31);
            av = Vector512.Create(a[4]);
            c40 = Vector512.MultiplyAddEstimate(av, b0, c40); c41 = Vector512.MultiplyAddEstimate(av, b1, c41);
            av = Vector512.Create(a[5]);
            c50 = Vector512.MultiplyAddEstimate(av, b0, c50); c51 = Vector512.MultiplyAddEstimate(av, b1, c51);
            a += MR;
            b += 32;
        }
        c00.Store(tile); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
    }

    /// <summary>C_tile = alpha·tile + (first ? beta·C : C), reading C only when needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store(float* tile, int nr, float* c, int ldc, int rows, int cols, float alpha, float beta, bool first)
    {
        float prior = first ? beta : 1f;
        for (int r = 0; r < rows; r++)
        {
            var t = new ReadOnlySpan<float>(tile + r * nr, cols);
            var dst = new Span<float>(c + (long)r * ldc, cols);
            if (prior == 0f) TensorPrimitives.Multiply(t, alpha, dst);
            else if (prior == 1f) TensorPrimitives.MultiplyAdd(t, alpha, dst, dst);
            else
            {
                for (int col = 0; col < cols; col++) dst[col] = alpha * t[col] + prior * dst[col];
            }
        }
    }

    private static void ScaleC(int m, int n, float beta, float* c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + (long)i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(row, beta, row);
        }
    }

    private struct SmallJob
    {
        public bool TransposeA, TransposeB;
        public int M, N, K, Lda, Ldb, Ldc, ColumnsPerChunk;
        public float Alpha, Beta;
        public float* A, B, C;
    }

    /// <summary>m ≤ 4: no packing; columns are split across workers.</summary>
    private static void SmallGemm(CpuWorkers? workers, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        var job = new SmallJob
        {
            TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, Alpha = alpha,
            Beta = beta, A = a, B = b, C = c,
        };
        long work = (long)m * n * k;
        int chunks = workers is null ? 1 : (int)Math.Clamp(work / 65536, 1, 64);
        job.ColumnsPerChunk = (n + chunks - 1) / chunks;
        chunks = (n + job.ColumnsPerChunk - 1) / job.ColumnsPerChunk;
        if (workers is null || chunks == 1)
        {
            for (int i = 0; i < chunks; i++) SmallChunk(&job, i);
        }
        else
        {
            workers.Run(chunks, &SmallChunk, &job);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SmallChunk(void* state, int chunk)
    {
        ref SmallJob j = ref *(SmallJob*)state;
        int c0 = chunk * j.ColumnsPerChunk, c1 = Math.Min(j.N, c0 + j.ColumnsPerChunk);
        for (int i = 0; i < j.M; i++)
        {
            float* arow = j.A + (long)i * j.Lda;
            float* crow = j.C + (long)i * j.Ldc;
            if (j.TransposeB)
            {
                for (int col = c0; col < c1; col++)
                {
                    float dot = j.TransposeA
                        ? StridedDot(j.A + i, j.Lda, j.B + (long)col * j.Ldb, j.K)
                        : TensorPrimitives.Dot(new ReadOnlySpan<float>(arow, j.K), new ReadOnlySpan<float>(j.B + (long)col * j.Ldb, j.K));
                    crow[col] = j.Beta == 0f ? j.Alpha * dot : j.Alpha * dot + j.Beta * crow[col];
                }
            }
            else
            {
                var dst = new Span<float>(crow + c0, c1 - c0);
                if (j.Beta == 0f) dst.Clear();
                else if (j.Beta != 1f) TensorPrimitives.Multiply(dst, j.Beta, dst);
                for (int p = 0; p < j.K; p++)
                {
                    float av = j.Alpha * (j.TransposeA ? j.A[(long)p * j.Lda + i] : arow[p]);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(j.B + (long)p * j.Ldb + c0, c1 - c0), av, dst, dst);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float StridedDot(float* a, int stride, float* b, int k)
    {
        float sum = 0;
        for (int p = 0; p < k; p++) sum += a[(long)p * stride] * b[p];
        return sum;
    }
}
