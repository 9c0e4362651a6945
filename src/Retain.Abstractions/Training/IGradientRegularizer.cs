namespace Retain.Training;

/// <summary>
/// A parameter-space term R(θ) added to the loss. After the backward pass of each optimizer step (before clipping),
/// the kernel calls <see cref="Apply"/>, which adds ∂R/∂θ to the gradients of the trainable parameters and returns R.
/// </summary>
public interface IGradientRegularizer : ITrainingStrategy
{
    /// <summary>Whether the kernel must keep a snapshot θ0 of the initial trainable weights.</summary>
    bool NeedsInitialWeights { get; }

    /// <summary>Adds the regularizer's gradient and returns its value.</summary>
    double Apply(IParameterSpace parameters, IMetricSink metrics);
}

/// <summary>A trainable tensor as regularizers and merges see it.</summary>
/// <param name="Name">The Hugging Face tensor name, e.g. <c>model.layers.0.self_attn.q_proj.weight</c>.</param>
/// <param name="Shape">Its shape.</param>
public sealed record ParameterInfo(string Name, IReadOnlyList<int> Shape)
{
    /// <summary>Number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The trainable parameters, their gradients and (when asked) their initial values, wherever the backend keeps them.
/// The fused operations run on the device; the span-based ones copy through host memory, so a researcher can write
/// any regularizer in plain C# at the cost of speed on a GPU.
/// </summary>
public interface IParameterSpace
{
    /// <summary>The trainable tensors, in a fixed order.</summary>
    IReadOnlyList<ParameterInfo> Trainable { get; }

    /// <summary>Σ over trainable elements, the count that averaging regularizers divide by.</summary>
    long TrainableElementCount { get; }

    /// <summary>‖θ_p − θ0_p‖² for one tensor (requires the initial snapshot).</summary>
    double SquaredDistanceToInitial(int parameter);

    /// <summary>grad_p += scale · (θ_p − θ0_p) (requires the initial snapshot).</summary>
    void AddDistanceToInitialGradient(int parameter, float scale);

    /// <summary>Copies θ_p to host memory.</summary>
    void ReadValues(int parameter, Span<float> destination);

    /// <summary>Copies θ0_p to host memory (requires the initial snapshot).</summary>
    void ReadInitialValues(int parameter, Span<float> destination);

    /// <summary>grad_p += delta.</summary>
    void AddToGradient(int parameter, ReadOnlySpan<float> delta);
}
