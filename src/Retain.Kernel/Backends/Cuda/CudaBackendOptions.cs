namespace Retain.Kernel.Backends.Cuda;

/// <summary>How GEMM operands are multiplied on the GPU (accumulation is always fp32, storage always fp32).</summary>
public enum CudaMatmulPrecision
{
    /// <summary>
    /// bf16 mixed precision: weight and activation operands are rounded to bf16 (own cast kernel, round to nearest
    /// even) and multiplied on tensor cores by cublasGemmEx with fp32 accumulation and fp32 results; the attention
    /// score GEMMs use CUBLAS_COMPUTE_32F_FAST_16BF. Parameters, gradients and optimizer states stay fp32.
    /// </summary>
    Bf16,
    /// <summary>TF32 tensor cores (CUBLAS_COMPUTE_32F_FAST_TF32).</summary>
    Tf32,
    /// <summary>IEEE fp32 throughout (CUBLAS_COMPUTE_32F): the mode that matches the CPU backend to ~1e-6.</summary>
    Fp32,
}

/// <summary>Options of the CUDA backend.</summary>
public sealed record CudaBackendOptions
{
    /// <summary>Environment variable that overrides <see cref="Matmul"/>: <c>bf16</c>, <c>tf32</c> or <c>fp32</c>.</summary>
    public const string MatmulVariable = "RETAIN_CUDA_MATMUL";

    /// <summary>The GPU (CUDA device ordinal).</summary>
    public int Device { get; init; }

    /// <summary>GEMM precision.</summary>
    public CudaMatmulPrecision Matmul { get; init; } = CudaMatmulPrecision.Bf16;

    /// <summary>Where compiled kernels are cached; null = <c>$RETAIN_CACHE_DIR/cuda</c> or <c>~/.cache/retain/cuda</c>.</summary>
    public string? KernelCacheDirectory { get; init; }

    /// <summary>
    /// Fill every block the allocator hands out, new or reused, with <see cref="PoisonPattern"/>, so that an element no
    /// kernel wrote reads as NaN in every result (a debugging aid: one memset per allocation). The emulator tests set it.
    /// </summary>
    public bool PoisonAllocations { get; init; }

    /// <summary>The poison's 32-bit word: a NaN as a float, as a double (two words) and in either bf16 half; as an int it is out of every index range.</summary>
    public const uint PoisonPattern = 0x7FF57FA5u;

    /// <summary>Parses a precision name (<c>bf16</c>, <c>tf32</c>, <c>fp32</c>), naming <paramref name="source"/> in the error.</summary>
    public static CudaMatmulPrecision ParseMatmul(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "bf16" => CudaMatmulPrecision.Bf16,
        "tf32" => CudaMatmulPrecision.Tf32,
        "fp32" => CudaMatmulPrecision.Fp32,
        _ => throw new ArgumentException($"{source}: '{text}' is not a matmul precision; use bf16, tf32 or fp32."),
    };
}
