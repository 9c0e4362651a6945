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

/// <summary>
/// A single-threaded GEMM that fits in an unmanaged op-argument struct: OpenBLAS by address for the shape classes in
/// <paramref name="openBlasRoutes"/> (a bit mask over <see cref="GemmShapeClass.RouteOf"/>'s routes), the managed GEMM for the others.
/// </summary>
internal readonly unsafe struct SequentialGemm(nint openBlasFunction, bool wide, int openBlasRoutes)
{
    private readonly nint _openBlas = openBlasFunction;
    private readonly bool _wide = wide;
    private readonly int _openBlasRoutes = openBlasFunction == 0 ? 0 : openBlasRoutes;

    /// <summary>C = alpha·op(A)·op(B) + beta·C on the calling thread.</summary>
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc)
    {
        if (_openBlasRoutes != 0 && (_openBlasRoutes & (1 << GemmShapeClass.RouteOf(transposeA, transposeB, m, n, k))) != 0)
        {
            OpenBlas.Sgemm(_openBlas, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else ManagedGemm.Run(null, _wide, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}

/// <summary>Which GEMM implementation the CPU backend uses.</summary>
public enum GemmProvider
{
    /// <summary>
    /// Per shape class and operand layout, whichever of OpenBLAS, the managed GEMM split across the workers and the managed GEMM on one
    /// thread a calibration on this machine measured fastest (without OpenBLAS, the split alone is calibrated).
    /// <c>RETAIN_GEMM=managed|openblas</c> overrides; a forced managed GEMM splits by a size rule.
    /// </summary>
    Auto,
    /// <summary>The managed blocked SIMD GEMM.</summary>
    Managed,
    /// <summary>OpenBLAS for every product; fails when it cannot be loaded.</summary>
    OpenBlas,
}
