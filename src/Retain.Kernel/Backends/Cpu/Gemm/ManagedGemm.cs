using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// A BLIS-style packed GEMM in managed code: B is packed per (KC × NC) panel into NR-wide strips shared by all workers,
/// each task packs an (MC × KC) block of A into MR-high strips in thread-local memory and runs an MR × NR register-tiled
/// micro-kernel (6 × 16 with Vector256 FMAs, 6 × 32 with Vector512). Every element of C is computed by one task with
/// the same k-order whatever the partition, so results do not depend on the thread count. Very short A (m ≤ 4, as in
/// token-by-token decoding) skips packing and uses dot products / row updates.
/// </summary>
internal sealed unsafe class ManagedGemm : ICpuGemm
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 96;
    private const int NC = 3072;
    private const int SmallM = 4;

    [ThreadStatic] private static nint t_packA;
    [ThreadStatic] private static nint t_packB;
    [ThreadStatic] private static long t_packBCapacity;

    private readonly CpuWorkers _workers;
    private readonly int _nr;
    private readonly bool _wide;

    /// <param name="workers">The backend's workers.</param>
    /// <param name="vectorWidth">256 or 512 bits; 0 picks 512 when Vector512 is hardware-accelerated.</param>
    public ManagedGemm(CpuWorkers workers, int vectorWidth = 0)
    {
        _workers = workers;
        if (vectorWidth == 0) vectorWidth = Vector512.IsHardwareAccelerated ? 512 : 256;
        if (vectorWidth is not (256 or 512)) throw new ArgumentOutOfRangeException(nameof(vectorWidth), "Vector width must be 256 or 512 bits.");
        _wide = vectorWidth == 512;
        _nr = _wide ? 32 : 16;
    }

    public string Name => _wide ? "managed-vector512" : "managed-vector256";

    /// <summary>Below this many flops a GEMM runs on the calling thread: a hand-off would cost more than it saves.</summary>
    private const double ParallelFlops = 2e6;

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) =>
        Run(2.0 * m * n * k < ParallelFlops ? null : _workers, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Run(null, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => new(0, _wide);

    private static void Loop(CpuWorkers? workers, int chunks, delegate*<void*, int, void> body, void* state)
    {
        if (workers is not null)
        {
            workers.Run(chunks, body, state);
            return;
        }
        for (int i = 0; i < chunks; i++) body(state, i);
    }

    /// <summary>The GEMM on <paramref name="workers"/>, or on the calling thread when null.</summary>
    internal static void Run(CpuWorkers? workers, bool wide, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda,
        float* b, int ldb, float beta, float* c, int ldc)
    {
        int nr = wide ? 32 : 16;
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

        var job = new Job
        {
            TransposeA = transposeA, TransposeB = transposeB, M = m, K = k, Alpha = alpha, A = a, Lda = lda, B = b, Ldb = ldb,
            Beta = beta, C = c, Ldc = ldc, Nr = nr, Wide = wide,
        };
        for (int jc = 0; jc < n; jc += NC)
        {
            int nc = Math.Min(NC, n - jc);
            int strips = (nc + nr - 1) / nr;
            float* packB = ThreadPackB((long)strips * nr * KC);
            for (int pc = 0; pc < k; pc += KC)
            {
                int kc = Math.Min(KC, k - pc);
                job.Jc = jc; job.Nc = nc; job.Pc = pc; job.Kc = kc; job.First = pc == 0; job.PackB = packB;
                Loop(workers, strips, &PackBStrip, &job);

                int mBlocks = (m + MC - 1) / MC;
                // Split the columns too when there are few row blocks, so every worker has work; the partition never
                // changes what a C element is computed from.
                int nGroups = Math.Clamp(8 / mBlocks, 1, Math.Max(1, strips / 2));
                job.StripsPerGroup = (strips + nGroups - 1) / nGroups;
                job.NGroups = (strips + job.StripsPerGroup - 1) / job.StripsPerGroup;
                Loop(workers, mBlocks * job.NGroups, &ComputeBlock, &job);
            }
        }
    }

    private struct Job
    {
        public bool TransposeA, TransposeB, First, Wide;
        public int M, K, Lda, Ldb, Ldc, Nr;
        public int Jc, Nc, Pc, Kc, StripsPerGroup, NGroups;
        public float Alpha, Beta;
        public float* A, B, C, PackB;
    }

    /// <summary>The calling thread's B panel (shared with the workers during a parallel GEMM, which the caller waits for).</summary>
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

    /// <summary>Packs strip s of the B panel: packB[s][p][0..NR) = op(B)[pc + p][jc + s·NR + 0..NR), zero-padded.</summary>
    private static void PackBStrip(void* state, int s)
    {
        ref Job j = ref *(Job*)state;
        int nr = j.Nr;
        float* dst = j.PackB + (long)s * nr * j.Kc;
        int col0 = j.Jc + s * nr;
        int cols = Math.Min(nr, j.Jc + j.Nc - col0);
        if (!j.TransposeB)
        {
            for (int p = 0; p < j.Kc; p++)
            {
                float* src = j.B + (long)(j.Pc + p) * j.Ldb + col0;
                float* d = dst + (long)p * nr;
                if (cols == nr) Buffer.MemoryCopy(src, d, nr * sizeof(float), nr * sizeof(float));
                else
                {
                    for (int c = 0; c < cols; c++) d[c] = src[c];
                    for (int c = cols; c < nr; c++) d[c] = 0;
                }
            }
        }
        else
        {
            for (int c = 0; c < cols; c++)
            {
                float* src = j.B + (long)(col0 + c) * j.Ldb + j.Pc;
                for (int p = 0; p < j.Kc; p++) dst[(long)p * nr + c] = src[p];
            }
            for (int c = cols; c < nr; c++)
            {
                for (int p = 0; p < j.Kc; p++) dst[(long)p * nr + c] = 0;
            }
        }
    }

    private static float* ThreadPackA()
    {
        if (t_packA == 0) t_packA = (nint)NativeMemory.AlignedAlloc((nuint)((MC + MR) * KC * sizeof(float)), 64);
        return (float*)t_packA;
    }

    /// <summary>Packs rows [i0, i0 + mc) × [pc, pc + kc) of op(A) into MR-high strips: packA[strip][p][r].</summary>
    private static void PackA(ref Job j, int i0, int mc, float* packA)
    {
        int kc = j.Kc;
        for (int ir = 0; ir < mc; ir += MR)
        {
            int rows = Math.Min(MR, mc - ir);
            float* dst = packA + (long)ir * kc;
            if (!j.TransposeA)
            {
                for (int r = 0; r < rows; r++)
                {
                    float* src = j.A + (long)(i0 + ir + r) * j.Lda + j.Pc;
                    for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = j.A + (long)(j.Pc + p) * j.Lda + i0 + ir;
                    float* d = dst + p * MR;
                    for (int r = 0; r < rows; r++) d[r] = src[r];
                }
            }
            if (rows < MR)
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int r = rows; r < MR; r++) dst[p * MR + r] = 0;
                }
            }
        }
    }

    private static void ComputeBlock(void* state, int task)
    {
        ref Job j = ref *(Job*)state;
        int mBlock = task / j.NGroups, group = task % j.NGroups;
        int i0 = mBlock * MC;
        int mc = Math.Min(MC, j.M - i0);
        float* packA = ThreadPackA();
        PackA(ref j, i0, mc, packA);

        int nr = j.Nr;
        int stripCount = (j.Nc + nr - 1) / nr;
        int s0 = group * j.StripsPerGroup, s1 = Math.Min(stripCount, s0 + j.StripsPerGroup);
        float* tile = stackalloc float[MR * 32];
        for (int s = s0; s < s1; s++)
        {
            int col0 = s * nr;
            int cols = Math.Min(nr, j.Nc - col0);
            float* bStrip = j.PackB + (long)s * nr * j.Kc;
            for (int ir = 0; ir < mc; ir += MR)
            {
                int rows = Math.Min(MR, mc - ir);
                float* aStrip = packA + (long)ir * j.Kc;
                if (j.Wide) Kernel512(j.Kc, aStrip, bStrip, tile);
                else Kernel256(j.Kc, aStrip, bStrip, tile);
                float* c = j.C + (long)(i0 + ir) * j.Ldc + j.Jc + col0;
                Store(tile, nr, c, j.Ldc, rows, cols, j.Alpha, j.Beta, j.First);
            }
        }
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
        int chunks = (int)Math.Clamp(work / 65536, 1, 64);
        job.ColumnsPerChunk = (n + chunks - 1) / chunks;
        chunks = (n + job.ColumnsPerChunk - 1) / job.ColumnsPerChunk;
        Loop(workers, chunks, &SmallChunk, &job);
    }

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

    private static float StridedDot(float* a, int stride, float* b, int k)
    {
        float sum = 0;
        for (int p = 0; p < k; p++) sum += a[(long)p * stride] * b[p];
        return sum;
    }

}
