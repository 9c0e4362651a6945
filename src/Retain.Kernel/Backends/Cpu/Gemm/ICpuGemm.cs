namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>A row-major single-precision GEMM on host pointers: C = alpha·op(A)·op(B) + beta·C.</summary>
internal unsafe interface ICpuGemm
{
    /// <summary>Short name for reports (<c>openblas</c>, <c>managed-avx2</c>, ...).</summary>
    string Name { get; }

    /// <summary>Runs one GEMM; with beta = 0, C is not read.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc);
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
