namespace Retain.Training;

/// <summary>
/// Produces candidate checkpoints from the initial weights θ0 and the fine-tuned weights θ_ft after training
/// (Wise-FT). Each candidate is saved in Hugging Face layout and evaluated like a trained checkpoint.
/// </summary>
public interface IPostTrainingMerge : ITrainingStrategy
{
    /// <summary>Declares the candidates.</summary>
    void Merge(IMergeContext context);
}

/// <summary>Computes one output tensor from the same tensor of both checkpoints.</summary>
/// <param name="tensorName">The Hugging Face tensor name.</param>
/// <param name="initial">θ0.</param>
/// <param name="fineTuned">θ_ft.</param>
/// <param name="result">Where the merged values go (same length).</param>
public delegate void TensorMerge(string tensorName, ReadOnlySpan<float> initial, ReadOnlySpan<float> fineTuned, Span<float> result);

/// <summary>Collects merge candidates.</summary>
public interface IMergeContext
{
    /// <summary>Adds a candidate checkpoint.</summary>
    /// <param name="label">A short label, e.g. <c>alpha=0.50</c>; used in directory names and reports.</param>
    /// <param name="merge">Called for every tensor of the model.</param>
    void AddCandidate(string label, TensorMerge merge);
}
