using Retain.Kernel.Backends.Cpu.Gemm.Calibration;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// Routes each product to the implementation a <see cref="GemmCalibration"/> measured faster for its
/// <see cref="GemmShapeClass"/>: OpenBLAS or the managed GEMM.
/// </summary>
internal sealed unsafe class CalibratedGemm(ManagedGemm managed, OpenBlasGemm openBlas, OpenBlas library, GemmCalibration calibration) : ICpuGemm
{
    private readonly int _openBlasClasses = calibration.MaskOf(openBlas.Name);

    public GemmCalibration Calibration => calibration;

    public string Name => _openBlasClasses switch
    {
        0 => $"{managed.Name} (calibrated)",
        _ when _openBlasClasses == (1 << GemmShapeClass.Count) - 1 => $"{openBlas.Name} (calibrated)",
        _ => $"calibrated {managed.Name}+{openBlas.Name}",
    };

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        if ((_openBlasClasses & (1 << GemmShapeClass.Of(m, n, k))) != 0) openBlas.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else managed.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Sequential.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => new(library.Function, managed.Wide, _openBlasClasses);
}
