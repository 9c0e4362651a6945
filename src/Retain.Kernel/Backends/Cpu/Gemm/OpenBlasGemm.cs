namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// OpenBLAS GEMM run on the backend's workers, for every shape (the calibrated choice in <see cref="CalibratedGemm"/>
/// decides which products come here): C is split into independent row or column blocks (a few per thread, so
/// each call still sees large panels), each computed by a single-threaded <c>cblas_sgemm</c>. The split depends only on
/// the problem size and the thread count, so results are reproducible for a given thread count.
/// </summary>
internal sealed unsafe class OpenBlasGemm(OpenBlas library, CpuWorkers workers) : ICpuGemm
{
    /// <summary>Work per block when splitting C over the workers.</summary>
    private const double FlopsPerBlock = 4e6;

    public string Name => "openblas";

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        double flops = 2.0 * m * n * Math.Max(k, 1);
        int blocks = (int)Math.Clamp(flops / FlopsPerBlock, 1, 2 * workers.ThreadCount);
        bool splitRows = m >= n;
        int extent = splitRows ? m : n;
        int blockSize = (extent + blocks - 1) / blocks;
        blockSize = Math.Min(extent, (blockSize + 15) / 16 * 16);
        blocks = (extent + blockSize - 1) / blockSize;
        if (blocks == 1)
        {
            OpenBlas.Sgemm(library.Function, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var job = new Job
        {
            Function = library.Function,
            TransposeA = transposeA, TransposeB = transposeB, M = m, N = n, K = k, Alpha = alpha, A = a, Lda = lda,
            B = b, Ldb = ldb, Beta = beta, C = c, Ldc = ldc, SplitRows = splitRows, BlockSize = blockSize,
        };
        workers.Run(blocks, &RunBlock, &job);
    }

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Sequential.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => new(library.Function, false, -1);

    private struct Job
    {
        public bool TransposeA, TransposeB, SplitRows;
        public int M, N, K, Lda, Ldb, Ldc, BlockSize;
        public float Alpha, Beta;
        public float* A, B, C;
        public nint Function;
    }

    private static void RunBlock(void* state, int index)
    {
        ref Job j = ref *(Job*)state;
        int start = index * j.BlockSize;
        if (j.SplitRows)
        {
            int rows = Math.Min(j.BlockSize, j.M - start);
            float* a = j.TransposeA ? j.A + start : j.A + (long)start * j.Lda;
            OpenBlas.Sgemm(j.Function, j.TransposeA, j.TransposeB, rows, j.N, j.K, j.Alpha, a, j.Lda, j.B, j.Ldb, j.Beta, j.C + (long)start * j.Ldc, j.Ldc);
        }
        else
        {
            int cols = Math.Min(j.BlockSize, j.N - start);
            float* b = j.TransposeB ? j.B + (long)start * j.Ldb : j.B + start;
            OpenBlas.Sgemm(j.Function, j.TransposeA, j.TransposeB, j.M, cols, j.K, j.Alpha, j.A, j.Lda, b, j.Ldb, j.Beta, j.C + start, j.Ldc);
        }
    }
}
