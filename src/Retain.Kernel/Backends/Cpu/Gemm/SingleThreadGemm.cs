namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// The managed GEMM kept on the calling thread: the calibration's candidate for products too small to repay the
/// hand-off to the workers (the split/no-split choice per shape class, measured instead of a FLOP threshold).
/// </summary>
internal sealed unsafe class SingleThreadGemm(ManagedGemm managed) : ICpuGemm
{
    /// <summary>The candidate's name: the managed GEMM's with this suffix.</summary>
    public const string Suffix = " 1-thread";

    public string Name => managed.Name + Suffix;

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => managed.GemmSequential(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => managed.GemmSequential(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => managed.Sequential;
}
