using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Standard;

/// <summary>Standard SFT: loss = (1/N) Σ ℓ_i over the N supervised tokens of the step.</summary>
[RetainComponent("standard", Description = "Standard SFT: mean negative log-likelihood over supervised tokens.")]
public sealed class StandardObjective : ITokenObjective
{
    /// <inheritdoc />
    public bool IsPrimary => true;

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        var nll = batch.Nll;
        float inverseN = 1f / batch.Normalizer;
        for (int i = 0; i < nll.Length; i++)
        {
            loss[i] += nll[i] * inverseN;
            coefficient[i] += inverseN;
        }
    }
}
