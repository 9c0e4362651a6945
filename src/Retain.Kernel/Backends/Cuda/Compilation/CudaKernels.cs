namespace Retain.Kernel.Backends.Cuda.Compilation;

/// <summary>Every kernel the CUDA backend launches, with the parameter kinds of its <c>extern "C"</c> signature.</summary>
internal static class CudaKernels
{
    /// <summary>Threads per block of every kernel (RETAIN_BLOCK in common.cuh).</summary>
    public const int Block = 256;

    private const KernelArgKind Ptr = KernelArgKind.Pointer, I32 = KernelArgKind.Int32, I64 = KernelArgKind.Int64,
        F32 = KernelArgKind.Float32, U64 = KernelArgKind.UInt64;

    public static readonly KernelSpec Add = new("elementwise", "retain_add", Ptr, Ptr, Ptr, I64);
    public static readonly KernelSpec AddInPlace = new("elementwise", "retain_add_inplace", Ptr, Ptr, I64);
    public static readonly KernelSpec Scale = new("elementwise", "retain_scale", Ptr, F32, I64);
    public static readonly KernelSpec AddScaledDifference = new("elementwise", "retain_add_scaled_difference", Ptr, Ptr, Ptr, F32, I64);
    public static readonly KernelSpec MultiplyAccumulate = new("elementwise", "retain_multiply_accumulate", Ptr, Ptr, Ptr, I64);
    public static readonly KernelSpec CastBf16 = new("elementwise", "retain_cast_bf16", Ptr, Ptr, I64);

    public static readonly KernelSpec SumSquaresPartial = new("reduce", "retain_sum_squares_partial", Ptr, Ptr, Ptr, I64, I64);
    public static readonly KernelSpec SumPartials = new("reduce", "retain_sum_partials", Ptr, Ptr, I32);
    public static readonly KernelSpec ColumnSumPartial = new("reduce", "retain_column_sum_partial", Ptr, Ptr, I32, I32, I32);
    public static readonly KernelSpec ColumnPartialsFinish = new("reduce", "retain_column_partials_finish", Ptr, Ptr, I32, I32);

    public static readonly KernelSpec EmbeddingForward = new("embedding", "retain_embedding_forward", Ptr, Ptr, Ptr, I32, I32, I32, F32, Ptr);
    public static readonly KernelSpec EmbeddingBackward = new("embedding", "retain_embedding_backward", Ptr, Ptr, Ptr, I32, I32, I32, I32, F32, Ptr);

    public static readonly KernelSpec RmsNormForward = new("rmsnorm", "retain_rmsnorm_forward", Ptr, Ptr, Ptr, Ptr, I32, F32, F32);
    public static readonly KernelSpec RmsNormBackwardInput = new("rmsnorm", "retain_rmsnorm_backward_input", Ptr, Ptr, Ptr, Ptr, Ptr, I32, F32, I32);
    public static readonly KernelSpec RmsNormBackwardWeight = new("rmsnorm", "retain_rmsnorm_backward_weight", Ptr, Ptr, Ptr, Ptr, I32, I32, I32);

    public static readonly KernelSpec AddBias = new("linear", "retain_add_bias", Ptr, Ptr, I64, I32);

    public static readonly KernelSpec Rope = new("rope", "retain_rope", Ptr, Ptr, Ptr, Ptr, I32, I32, I32, I32, F32, Ptr);

    public static readonly KernelSpec AttentionSoftmax = new("attention", "retain_attention_softmax", Ptr, I64, Ptr, I32, I32, Ptr, I64, Ptr);
    public static readonly KernelSpec AttentionRecompute = new("attention", "retain_attention_recompute", Ptr, I64, Ptr, Ptr, I64, I32);
    public static readonly KernelSpec AttentionSoftmaxBackward = new("attention", "retain_attention_softmax_backward", Ptr, I64, Ptr, I64, I32, F32);
    public static readonly KernelSpec KvCacheWrite = new("attention", "retain_kv_cache_write", Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, I32, I32, I32, I32, Ptr);
    public static readonly KernelSpec CachedAttention = new("attention", "retain_cached_attention",
        Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, I32, I32, I32, I32, I32, I32, F32, Ptr);

    public static readonly KernelSpec GatedForward = new("activation", "retain_gated_forward", Ptr, Ptr, Ptr, I64, I32);
    public static readonly KernelSpec GatedBackward = new("activation", "retain_gated_backward", Ptr, Ptr, Ptr, Ptr, Ptr, I64, I32);

    public static readonly KernelSpec CrossEntropyForward = new("cross_entropy", "retain_cross_entropy_forward", Ptr, Ptr, Ptr, Ptr, Ptr, I32, Ptr);
    public static readonly KernelSpec CrossEntropyBackward = new("cross_entropy", "retain_cross_entropy_backward", Ptr, Ptr, Ptr, Ptr, I32, I32, Ptr);

    public static readonly KernelSpec GatherRows = new("rows", "retain_gather_rows", Ptr, Ptr, Ptr, I32, I32, I64, Ptr);
    public static readonly KernelSpec ScatterAddRows = new("rows", "retain_scatter_add_rows", Ptr, Ptr, Ptr, I32, I32, I64, Ptr);

    public static readonly KernelSpec DropoutForward = new("dropout", "retain_dropout_forward", Ptr, Ptr, Ptr, I64, F32, F32, U64);

    public static readonly KernelSpec AdamW = new("adamw", "retain_adamw",
        Ptr, Ptr, Ptr, Ptr, I64, F32, F32, F32, F32, F32, F32, F32, F32);

    /// <summary>All of them.</summary>
    public static IReadOnlyList<KernelSpec> All { get; } = typeof(CudaKernels)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(KernelSpec))
        .Select(f => (KernelSpec)f.GetValue(null)!)
        .ToArray();
}
