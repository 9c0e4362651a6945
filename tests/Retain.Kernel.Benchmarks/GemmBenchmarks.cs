using BenchmarkDotNet.Attributes;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;

namespace Retain.Kernel.Benchmarks;

/// <summary>One GEMM shape: C[m×n] = A[m×k]·B[n×k]ᵀ, the layout of a linear layer's forward.</summary>
/// <param name="M">Rows of A and C (tokens).</param>
/// <param name="N">Rows of B, columns of C (output features).</param>
/// <param name="K">Shared dimension (input features).</param>
/// <param name="Label">What the shape is.</param>
public sealed record GemmShape(int M, int N, int K, string Label)
{
    /// <summary>Floating-point operations of one GEMM.</summary>
    public double Flops => 2.0 * M * N * K;

    /// <inheritdoc />
    public override string ToString() => Label == "square" ? $"{M}^3" : $"{Label} {M}x{N}x{K}"; // BenchmarkDotNet shows 20 characters
}

/// <summary>
/// The managed blocked SIMD GEMM against OpenBLAS (Debian libopenblas0-pthread) on the backend's own threads, at
/// square sizes and at the GPT-2-124M-shaped linear layers of <c>retain bench</c> (4 × 64 tokens: fused q/k/v, gate or
/// up, down, LM head). The GFLOP/s column
/// is 2·m·n·k / mean time. The OpenBLAS benchmark reports an error when OpenBLAS cannot be loaded.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private CpuBackend? _managed;
    private CpuBackend? _openBlas;
    private DeviceBuffer<float>? _a, _b, _c;

    /// <summary>Shapes measured.</summary>
    public static IEnumerable<GemmShape> Shapes() =>
    [
        new(256, 256, 256, "square"),
        new(512, 512, 512, "square"),
        new(1024, 1024, 1024, "square"),
        new(2048, 2048, 2048, "square"),
        new(256, 2304, 768, "qkv"),
        new(256, 2048, 768, "gate"),
        new(256, 768, 2048, "down"),
        new(256, 50257, 768, "head"),
    ];

    /// <summary>The shape of this run.</summary>
    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    /// <summary>Allocates and fills the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _managed = new CpuBackend(new CpuBackendOptions { Gemm = GemmProvider.Managed });
        if (CpuBackend.OpenBlasPath is not null) _openBlas = new CpuBackend(new CpuBackendOptions { Gemm = GemmProvider.OpenBlas });
        _a = _managed.Allocate((long)Shape.M * Shape.K);
        _b = _managed.Allocate((long)Shape.N * Shape.K);
        _c = _managed.Allocate((long)Shape.M * Shape.N);
        var random = new Random(1);
        var host = new float[Math.Max(_a.View.Length, _b.View.Length)];
        for (int i = 0; i < host.Length; i++) host[i] = (float)(random.NextDouble() - 0.5);
        _managed.Upload(host.AsSpan(0, (int)_a.View.Length), _a.View);
        _managed.Upload(host.AsSpan(0, (int)_b.View.Length), _b.View);
    }

    /// <summary>Frees the backends.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _a?.Dispose();
        _b?.Dispose();
        _c?.Dispose();
        _managed?.Dispose();
        _openBlas?.Dispose();
    }

    /// <summary>The managed GEMM.</summary>
    [Benchmark(Baseline = true)]
    public void Managed() => Run(_managed!);

    /// <summary>OpenBLAS cblas_sgemm.</summary>
    [Benchmark]
    public void OpenBlas() => Run(_openBlas ?? throw new InvalidOperationException("OpenBLAS is not installed (libopenblas0-pthread)."));

    // Buffers come from the managed backend; both CPU backends address host memory, so either can run on them.
    private void Run(CpuBackend backend) =>
        backend.Gemm(false, true, Shape.M, Shape.N, Shape.K, 1f, _a!.View, Shape.K, _b!.View, Shape.K, 0f, _c!.View, Shape.N);
}
