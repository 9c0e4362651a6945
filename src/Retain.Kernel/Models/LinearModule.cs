using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>A LoRA adaptation of one linear module: W' = W + (alpha/rank)·B·A, dropout on the low-rank path's input.</summary>
internal sealed class LowRankAdapter(ParameterTensor a, ParameterTensor b, int rank, float alpha, float dropout)
{
    public ParameterTensor A { get; } = a;
    public ParameterTensor B { get; } = b;
    public int Rank { get; } = rank;
    public float Alpha { get; } = alpha;
    public float Scale { get; } = alpha / rank;
    public float Dropout { get; } = dropout;
}

/// <summary>What a LoRA path keeps between forward and backward: the dropped-out input, its mask and x·Aᵀ.</summary>
internal sealed class LowRankActivations
{
    public BufferView<float> DroppedInput;
    public BufferView<float> Mask;
    public BufferView<float> Projected;
}

/// <summary>
/// A linear layer in Hugging Face layout (weight out × in, optional bias) with an optional LoRA path. Forward and
/// backward live together; frozen tensors get no gradient work at all.
/// </summary>
internal sealed class LinearModule(string name, int index, int inFeatures, int outFeatures, ParameterTensor weight, ParameterTensor? bias)
{
    /// <summary>The module name without <c>.weight</c>, e.g. <c>model.layers.0.self_attn.q_proj</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Short module kind (q_proj, ..., down_proj).</summary>
    public string Kind => Name[(Name.LastIndexOf('.') + 1)..];

    /// <summary>Global index (seeds the dropout stream).</summary>
    public int Index { get; } = index;

    public int In { get; } = inFeatures;
    public int Out { get; } = outFeatures;
    public ParameterTensor Weight { get; } = weight;
    public ParameterTensor? Bias { get; } = bias;
    public LowRankAdapter? Lora { get; set; }

    public void Forward(IBackend b, BufferView<float> x, BufferView<float> y, int rows, LowRankActivations? saved, ulong dropoutSeed, bool training)
    {
        b.LinearForward(y, x, Weight.Value, Bias?.Value ?? BufferView<float>.None, rows, In, Out);
        if (Lora is not { } lora || saved is null) return;
        var input = x;
        if (training && lora.Dropout > 0)
        {
            b.DropoutForward(saved.DroppedInput, saved.Mask, x, (long)rows * In, lora.Dropout, dropoutSeed ^ (0x9E3779B97F4A7C15UL * (ulong)(Index + 1)));
            input = saved.DroppedInput;
        }
        b.Gemm(false, true, rows, lora.Rank, In, 1f, input, In, lora.A.Value, In, 0f, saved.Projected, lora.Rank);
        b.Gemm(false, true, rows, Out, lora.Rank, lora.Scale, saved.Projected, lora.Rank, lora.B.Value, lora.Rank, 1f, y, Out);
    }

    /// <summary>
    /// inputGrad (= or +=) from outputGrad; weight/bias/LoRA gradients accumulate. <paramref name="projectedGrad"/> and
    /// <paramref name="inputScratch"/> are scratch for the LoRA path (rows × rank, rows × in).
    /// </summary>
    public void Backward(IBackend b, BufferView<float> inputGrad, bool accumulate, BufferView<float> outputGrad, BufferView<float> x, int rows,
        LowRankActivations? saved, BufferView<float> projectedGrad, BufferView<float> inputScratch, bool training)
    {
        b.LinearBackward(inputGrad, Weight.Gradient, Bias?.Gradient ?? BufferView<float>.None, outputGrad, x, Weight.Value, rows, In, Out, accumulate);
        if (Lora is not { } lora || saved is null) return;
        bool dropped = training && lora.Dropout > 0;
        var input = dropped ? saved.DroppedInput : x;
        int r = lora.Rank;
        if (!lora.B.Gradient.IsNone)
        {
            b.Gemm(true, false, Out, r, rows, lora.Scale, outputGrad, Out, saved.Projected, r, 1f, lora.B.Gradient, r);
        }
        bool needProjectedGrad = !lora.A.Gradient.IsNone || !inputGrad.IsNone;
        if (!needProjectedGrad) return;
        var dt = projectedGrad.Take((long)rows * r);
        b.Gemm(false, false, rows, r, Out, lora.Scale, outputGrad, Out, lora.B.Value, r, 0f, dt, r);
        if (!lora.A.Gradient.IsNone) b.Gemm(true, false, r, In, rows, 1f, dt, r, input, In, 1f, lora.A.Gradient, In);
        if (inputGrad.IsNone) return;
        if (dropped)
        {
            var dxd = inputScratch.Take((long)rows * In);
            b.Gemm(false, false, rows, In, r, 1f, dt, r, lora.A.Value, In, 0f, dxd, In);
            b.MultiplyAccumulate(inputGrad.Take((long)rows * In), dxd, saved.Mask.Take((long)rows * In));
        }
        else
        {
            b.Gemm(false, false, rows, In, r, 1f, dt, r, lora.A.Value, In, 1f, inputGrad, In);
        }
    }
}
