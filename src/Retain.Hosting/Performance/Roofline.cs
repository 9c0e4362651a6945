using Retain.Kernel.Models;

namespace Retain.Hosting.Performance;

/// <summary>The machine's measured limits: peak FMA throughput, the best large-GEMM rate, triad bandwidth.</summary>
/// <param name="PeakFlops">Register-resident FMA loop on every thread, FLOP/s.</param>
/// <param name="VectorBits">Vector width of that loop.</param>
/// <param name="GemmFlops">Best GEMM rate measured at large sizes (either implementation), FLOP/s.</param>
/// <param name="BandwidthBytes">STREAM-style triad, bytes/s.</param>
public sealed record MachineLimitsResult(double PeakFlops, int VectorBits, double GemmFlops, double BandwidthBytes);

/// <summary>A training step's lower bound by parts, seconds.</summary>
/// <param name="MatmulSeconds">Projection and LM-head GEMMs (6·N FLOPs per token) at the GEMM rate.</param>
/// <param name="AttentionSeconds">Attention's score and value products (causal: 6·L·d_attn·T per token) at the GEMM rate, plus its softmax traffic at the bandwidth.</param>
/// <param name="OptimizerSeconds">Gradient-norm read and AdamW (read parameter, gradient, m, v; write parameter, m, v) at the bandwidth.</param>
/// <param name="ElementwiseSeconds">Norms, residual adds, RoPE, SwiGLU, cross-entropy and embedding traffic at the bandwidth.</param>
public sealed record StepBound(double MatmulSeconds, double AttentionSeconds, double OptimizerSeconds, double ElementwiseSeconds)
{
    /// <summary>The whole step's lower bound.</summary>
    public double TotalSeconds => MatmulSeconds + AttentionSeconds + OptimizerSeconds + ElementwiseSeconds;
}

/// <summary>
/// A lower bound on a float32 training step from the machine's measured limits: every GEMM FLOP at the best GEMM rate
/// plus every byte that memory-bound passes must move at triad bandwidth, each tensor read and written once per pass
/// (the traffic a perfectly fused implementation still has). Counted per token and layer, in floats of 4 bytes:
/// forward 10·d (two RMSNorms, two residual adds) + 2·(d_attn + d_kv) (RoPE on q and k) + 3·I (SwiGLU) and
/// backward 12·d + 2·(d_attn + d_kv) + 5·I; attention softmax heads·T/2 scores read and written forward and three
/// passes backward; then 2·V (softmax over the logits, the logit gradient) + 7·d (final norm, embedding) per token;
/// and 8 floats per parameter (gradient norm read; AdamW reads parameter, gradient, m and v and writes three).
/// </summary>
public static class Roofline
{
    /// <summary>The bound of one training step of <paramref name="rows"/> × <paramref name="length"/> tokens.</summary>
    public static StepBound TrainingStep(ModelConfig c, long parameters, int rows, int length, MachineLimitsResult limits)
    {
        double tokens = (double)rows * length;
        double d = c.HiddenSize, attention = (double)c.HeadCount * c.HeadDim, kv = (double)c.KvHeadCount * c.HeadDim, i = c.IntermediateSize;
        double matmulFlops = 6.0 * TrainingFlops.MatmulParameters(c) * tokens;
        double attentionFlops = 6.0 * c.LayerCount * attention * length * tokens; // causal: half of the square
        double softmaxFloats = c.LayerCount * c.HeadCount * (length / 2.0) * (2 + 3) * tokens;
        double layerFloats = (10 * d + 2 * (attention + kv) + 3 * i) + (12 * d + 2 * (attention + kv) + 5 * i);
        double elementwiseFloats = tokens * (c.LayerCount * layerFloats + 2.0 * c.VocabSize + 7 * d);
        double optimizerFloats = 8.0 * parameters;
        const double bytes = sizeof(float);
        return new StepBound(
            matmulFlops / limits.GemmFlops,
            attentionFlops / limits.GemmFlops + softmaxFloats * bytes / limits.BandwidthBytes,
            optimizerFloats * bytes / limits.BandwidthBytes,
            elementwiseFloats * bytes / limits.BandwidthBytes);
    }

    /// <summary>Which part of <see cref="StepBound"/> a backend op's time belongs to.</summary>
    public static string PartOf(string op) => op switch
    {
        "LinearForward" or "LinearBackward" or "Gemm" => "matmul",
        "AttentionForward" or "AttentionBackward" => "attention",
        "AdamWStep" or "SumOfSquares" => "optimizer",
        _ => "elementwise",
    };

    /// <summary>The bound of a part by name.</summary>
    public static double SecondsOf(StepBound bound, string part) => part switch
    {
        "matmul" => bound.MatmulSeconds,
        "attention" => bound.AttentionSeconds,
        "optimizer" => bound.OptimizerSeconds,
        _ => bound.ElementwiseSeconds,
    };

    /// <summary>The parts in report order.</summary>
    public static IReadOnlyList<string> Parts { get; } = ["matmul", "attention", "optimizer", "elementwise"];
}
