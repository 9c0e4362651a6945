using Retain.Kernel.Backends.Cpu.Gemm.Calibration;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// Routes each product to what a <see cref="GemmCalibration"/> measured fastest for its route (its
/// <see cref="GemmShapeClass"/> and operand layout):
/// OpenBLAS, the managed GEMM split across the workers, or the managed GEMM on the calling thread alone
/// (<see cref="SingleThreadGemm"/>). <paramref name="openBlas"/> and <paramref name="library"/> are null when OpenBLAS
/// cannot be loaded (then only the split is calibrated).
/// </summary>
internal sealed unsafe class CalibratedGemm(ManagedGemm managed, OpenBlasGemm? openBlas, OpenBlas? library, GemmCalibration calibration) : ICpuGemm
{
    private readonly int _openBlasRoutes = openBlas is null ? 0 : calibration.MaskOf(openBlas.Name);
    private readonly int _singleThreadRoutes = calibration.MaskOf(managed.Name + SingleThreadGemm.Suffix);

    public GemmCalibration Calibration => calibration;

    public string Name
    {
        get
        {
            var choices = calibration.Routes.Select(c => c.Choice).Distinct().ToList();
            return choices.Count == 1 ? $"{choices[0]} (calibrated)" : $"calibrated {string.Join("+", choices)}";
        }
    }

    /// <summary>What an m × n × k product runs on: the name of the calibrated choice for its class.</summary>
    public string RouteOf(bool transposeA, bool transposeB, int m, int n, int k) => calibration.ChoiceOf(GemmShapeClass.RouteOf(transposeA, transposeB, m, n, k));

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        int bit = 1 << GemmShapeClass.RouteOf(transposeA, transposeB, m, n, k);
        if ((_openBlasRoutes & bit) != 0) openBlas!.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else if ((_singleThreadRoutes & bit) != 0) managed.GemmSequential(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else managed.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc) => Sequential.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    public SequentialGemm Sequential => new(library?.Function ?? 0, managed.Wide, _openBlasRoutes);
}
