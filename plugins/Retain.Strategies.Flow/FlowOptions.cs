using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Retain.Strategies.Flow;

/// <summary>Sequence or token weights.</summary>
public enum FlowLevel
{
    /// <summary>One weight per training example from its mean target NLL (the paper's main variant).</summary>
    Sequence,
    /// <summary>One weight per target token from its own NLL (the repository's token variant).</summary>
    Token,
}

/// <summary>Options of <see cref="FlowStrategy"/>.</summary>
public sealed class FlowOptions : IValidatableObject
{
    /// <summary><c>dataset-median</c> or a fixed positive number.</summary>
    [Description("Temperature τ: 'dataset-median' (numpy median of the initial model's losses over the training set, as the FLOW repository) or a fixed positive number.")]
    public string Tau { get; set; } = "dataset-median";

    /// <summary>Sequence (default) or token weights.</summary>
    [Description("sequence: w = exp(−mean target NLL/τ) per example (paper); token: w = exp(−ℓ_token/τ) per token.")]
    public FlowLevel Level { get; set; } = FlowLevel.Sequence;

    /// <summary>Reuse the initial model's losses from the cache (keyed by model and data hashes).</summary>
    [Description("Cache the initial model's per-token losses on disk, keyed by model and data hashes.")]
    public bool Cache { get; set; } = true;

    /// <summary>The fixed τ, or null for the dataset median.</summary>
    public double? FixedTau => Tau == "dataset-median" ? null : double.Parse(Tau, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tau == "dataset-median") yield break;
        if (!double.TryParse(Tau, NumberStyles.Float, CultureInfo.InvariantCulture, out var tau) || !(tau > 0) || double.IsInfinity(tau))
        {
            yield return new ValidationResult($"'{Tau}' is not a temperature: use 'dataset-median' or a positive number.", [nameof(Tau)]);
        }
    }
}
