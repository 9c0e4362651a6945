namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>A row-major single-precision GEMM on host pointers: C = alpha·op(A)·op(B) + beta·C.</summary>
internal unsafe interface ICpuGemm
{
    /// <summary>Short name for reports (<c>openblas</c>, <c>managed-avx2</c>, ...).</summary>
    string Name { get; }

    /// <summary>Runs one GEMM on the backend's workers; with beta = 0, C is not read.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc);

    /// <summary>The same GEMM entirely on the calling thread (safe to call from inside a parallel op body).</summary>
    void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc);

    /// <summary>An unmanaged handle to <see cref="GemmSequential"/> that op bodies can carry in their argument structs.</summary>
    SequentialGemm Sequential { get; }
}

/// <summary>A single-threaded GEMM that fits in an unmanaged op-argument struct: OpenBLAS by address, else the managed GEMM.</summary>
internal readonly unsafe struct SequentialGemm(nint openBlasFunction, bool wide)
{
    private readonly nint _openBlas = openBlasFunction;
    private readonly bool _wide = wide;

    /// <summary>Below this many FLOPs the managed GEMM beats a cblas_sgemm call.</summary>
    public const double OpenBlasMinimumFlops = 4e6;

    /// <summary>C = alpha·op(A)·op(B) + beta·C on the calling thread.</summary>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        // Small products (per-head attention of small models) are bound by OpenBLAS's per-call packing.
        if (_openBlas != 0 && m > ManagedGemm.SmallM && 2.0 * m * n * k >= OpenBlasMinimumFlops)
        {
            OpenBlas.Sgemm(_openBlas, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else ManagedGemm.Run(null, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

/// <summary>Which GEMM implementation the CPU backend uses.</summary>
public enum GemmProvider
{
    /// <summary>OpenBLAS when it can be loaded, else the managed GEMM. <c>RETAIN_GEMM=managed|openblas</c> overrides.</summary>
    Auto,
    /// <summary>The managed blocked SIMD GEMM.</summary>
    Managed,
    /// <summary>OpenBLAS; fails when it cannot be loaded.</summary>
    OpenBlas,
}
