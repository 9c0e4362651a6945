namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>Times one GEMM implementation on one product (a seam so the chooser can be tested with fakes).</summary>
internal interface IGemmTimer
{
    /// <summary>Seconds for one m × n × k product C = op(A)·op(B) with <paramref name="gemm"/>.</summary>
    double SecondsPerRun(ICpuGemm gemm, bool transposeA, bool transposeB, int m, int n, int k);
}
