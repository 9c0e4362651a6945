namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>Times one GEMM implementation on one shape (a seam so the chooser can be tested with fakes).</summary>
internal interface IGemmTimer
{
    /// <summary>Seconds for one m × n × k product C = A·Bᵀ with <paramref name="gemm"/>.</summary>
    double SecondsPerRun(ICpuGemm gemm, int m, int n, int k);
}
