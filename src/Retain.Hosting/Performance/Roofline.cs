using Retain.Kernel.Models;

namespace Retain.Hosting.Performance;

/// <summary>The machine's measured limits: peak FMA throughput, the best large-GEMM rate, triad bandwidth.</summary>
/// <param name="PeakFlops">Register-resident FMA loop on every thread, FLOP/s.</param>
/// <param name="VectorBits">Vector width of that loop.</param>
/// <param name="GemmFlops">Best GEMM rate measured at large sizes (either implementation), FLOP/s.</param>
/// <param name="BandwidthBytes">STREAM-style triad, bytes/s.</param>
public sealed record MachineLimitsResult(double PeakFlops, int VectorBits, double GemmFlops, double BandwidthBytes);

/// <summary>One kind of GEMM a training step issues, C = op(A)·op(B) of m × n × k, and how many times per step.</summary>
public sealed record GemmProduct(bool TransposeA, bool TransposeB, int M, int N, int K, int Count)
{
    /// <summary>FLOPs of all <see cref="Count"/> products.</summary>
    public double Flops => 2.0 * M * N * K * Count;

    /// <summary>The product in words: <c>256x768x2048 A·B</c>.</summary>
    public string Shape => $"{M}x{N}x{K} {(TransposeA ? "Aᵀ·B" : TransposeB ? "A·Bᵀ" : "A·B")}";
}

/// <summary>A training step's lower bound by parts, seconds.</summary>
/// <param name="MatmulSeconds">Projection and LM-head GEMMs (6·N FLOPs per token), each at the best rate measured for its own shape.</param>
/// <param name="AttentionSeconds">Attention's score and value products (causal: 6·L·d_attn·T per token) at the best rate measured for any of the step's products, plus its softmax traffic at the bandwidth.</param>
/// <param name="OptimizerSeconds">Gradient-norm read and AdamW (read parameter, gradient, m, v; write parameter, m, v) at the bandwidth.</param>
/// <param name="ElementwiseSeconds">Norms, residual adds, RoPE, SwiGLU, cross-entropy and embedding traffic at the bandwidth.</param>
public sealed record StepBound(double MatmulSeconds, double AttentionSeconds, double OptimizerSeconds, double ElementwiseSeconds)
{
    /// <summary>The whole step's lower bound.</summary>
    public double TotalSeconds => MatmulSeconds + AttentionSeconds + OptimizerSeconds + ElementwiseSeconds;
}

/// <summary>
/// A lower bound on a float32 training step from the machine's measured limits: every projection's GEMMs (forward
/// A·Bᵀ, input gradient A·B, weight gradient Aᵀ·B) at the best rate any implementation reached on that very product,
/// attention's FLOPs at the best of those rates, plus every byte that memory-bound passes must move at triad bandwidth, each tensor read and written once per pass
/// (the traffic a perfectly fused implementation still has). Counted per token and layer, in floats of 4 bytes:
/// forward 10·d (two RMSNorms, two residual adds) + 2·(d_attn + d_kv) (RoPE on q and k) + 3·I (SwiGLU) and
/// backward 12·d + 2·(d_attn + d_kv) + 5·I; attention softmax heads·T/2 scores read and written forward and three
/// passes backward; then 2·V (softmax over the logits, the logit gradient) + 7·d (final norm, embedding) per token;
/// and 8 floats per parameter (gradient norm read; AdamW reads parameter, gradient, m and v and writes three).
/// </summary>
public static class Roofline
{
    /// <summary>
    /// The projection and LM-head GEMMs of one training step of <paramref name="rows"/> × <paramref name="length"/>
    /// tokens, equal products merged: per linear layer (out × in) over T tokens, forward T × out × in (A·Bᵀ), input
    /// gradient T × in × out (A·B) and weight gradient out × in × T (Aᵀ·B). Their FLOPs sum to 6·N·T.
    /// </summary>
    public static IReadOnlyList<GemmProduct> TrainingProducts(ModelConfig c, int rows, int length)
    {
        int t = rows * length, d = c.HiddenSize, attention = c.HeadCount * c.HeadDim, kv = c.KvHeadCount * c.HeadDim, i = c.IntermediateSize;
        (int Out, int In, int Count)[] linears =
        [
            (attention, d, c.LayerCount), (kv, d, 2 * c.LayerCount), (d, attention, c.LayerCount), // q; k and v; o
            (i, d, 2 * c.LayerCount), (d, i, c.LayerCount),                                         // gate and up; down
            (c.VocabSize, d, 1),                                                                     // LM head
        ];
        var products = new List<GemmProduct>();
        foreach (var (output, input, count) in linears)
        {
            foreach (var (ta, tb, m, n, k) in new[] { (false, true, t, output, input), (false, false, t, input, output), (true, false, output, input, t) })
            {
                int same = products.FindIndex(p => (p.TransposeA, p.TransposeB, p.M, p.N, p.K) == (ta, tb, m, n, k));
                if (same < 0) products.Add(new GemmProduct(ta, tb, m, n, k, count));
                else products[same] = products[same] with { Count = products[same].Count + count };
            }
        }
        return products;
    }

    /// <summary>
    /// The bound of one training step of <paramref name="rows"/> × <paramref name="length"/> tokens. <paramref name="rate"/>
    /// gives the best measured FLOP/s of each of <see cref="TrainingProducts"/>; without it every GEMM runs at
    /// <see cref="MachineLimitsResult.GemmFlops"/>.
    /// </summary>
    public static StepBound TrainingStep(ModelConfig c, long parameters, int rows, int length, MachineLimitsResult limits,
        Func<GemmProduct, double>? rate = null)
    {
        double tokens = (double)rows * length;
        double d = c.HiddenSize, attention = (double)c.HeadCount * c.HeadDim, kv = (double)c.KvHeadCount * c.HeadDim, i = c.IntermediateSize;
        var products = TrainingProducts(c, rows, length);
        rate ??= _ => limits.GemmFlops;
        double matmulSeconds = products.Sum(p => p.Flops / rate(p));
        double attentionRate = products.Max(rate);
        double attentionFlops = 6.0 * c.LayerCount * attention * length * tokens; // causal: half of the square
        double softmaxFloats = c.LayerCount * c.HeadCount * (length / 2.0) * (2 + 3) * tokens;
        double layerFloats = (10 * d + 2 * (attention + kv) + 3 * i) + (12 * d + 2 * (attention + kv) + 5 * i);
        double elementwiseFloats = tokens * (c.LayerCount * layerFloats + 2.0 * c.VocabSize + 7 * d);
        double optimizerFloats = 8.0 * parameters;
        const double bytes = sizeof(float);
        return new StepBound(
            matmulSeconds,
            attentionFlops / attentionRate + softmaxFloats * bytes / limits.BandwidthBytes,
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
