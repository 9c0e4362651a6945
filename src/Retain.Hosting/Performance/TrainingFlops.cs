using Retain.Kernel.Models;

namespace Retain.Hosting.Performance;

/// <summary>
/// Model FLOPs of training, the formula of gpu-and-performance.md §5 (Kaplan §2.1 / PaLM appendix B):
/// F = 6·N + 12·L·d_attn·T per token, N the parameters that take part in matrix products (every projection and the LM
/// head, counted once when tied; not the embedding lookup, norms or biases), L layers, d_attn = heads × head_dim,
/// T the sequence length (full square attention, nanoGPT's convention). MFU = F · tokens/s ÷ the device's peak.
/// </summary>
public static class TrainingFlops
{
    /// <summary>Parameters that take part in matrix products.</summary>
    public static long MatmulParameters(ModelConfig c)
    {
        long d = c.HiddenSize, attention = (long)c.HeadCount * c.HeadDim, kv = (long)c.KvHeadCount * c.HeadDim;
        long perLayer = d * attention + 2 * d * kv + attention * d + 3 * d * c.IntermediateSize;
        return c.LayerCount * perLayer + d * c.VocabSize;
    }

    /// <summary>Training FLOPs per token at sequence length <paramref name="sequenceLength"/>.</summary>
    public static double PerToken(ModelConfig c, int sequenceLength) =>
        6.0 * MatmulParameters(c) + 12.0 * c.LayerCount * c.HeadCount * c.HeadDim * sequenceLength;

    /// <summary>
    /// Dense bf16 tensor-core peak in FLOP/s of a GPU by name (H100 and H200 SXM: 989 TFLOP/s), or null when unknown,
    /// in which case no MFU is reported.
    /// </summary>
    public static double? PeakBf16(string gpuName) =>
        gpuName.Contains("H100", StringComparison.OrdinalIgnoreCase) || gpuName.Contains("H200", StringComparison.OrdinalIgnoreCase)
            ? 989.4e12
            : null;
}
