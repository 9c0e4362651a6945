using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Retain.Strategies.Talr;

/// <summary>Options of <see cref="TalrObjective"/>.</summary>
public sealed class TalrOptions : IValidatableObject
{
    /// <summary>The temperature: <c>batch-median</c> (paper, appendix D.2) or a fixed positive number.</summary>
    [Description("Temperature τ: 'batch-median' (median over the micro-batch of each sequence's mean NLL, recomputed every step; the paper's choice) or a fixed positive number.")]
    public string Tau { get; set; } = "batch-median";

    /// <summary>The weight floor w_min.</summary>
    [Range(0.0, 1.0)]
    [Description("Weight floor w_min: w_i = max(exp(-ℓ_i/τ), w_min). The paper uses 0.01.")]
    public double WMin { get; set; } = 0.01;

    /// <summary>Lower bound of a batch-median τ (a batch the model already fits perfectly would otherwise give τ = 0).</summary>
    [Range(1e-12, 1e6)]
    [Description("Lower bound of the batch-median τ.")]
    public double MinTau { get; set; } = 1e-6;

    /// <summary>The probability above which a token counts as easy, for the logged fraction.</summary>
    [Range(0.0, 1.0)]
    [Description("Probability threshold of the logged 'fraction of tokens with p above it' metric.")]
    public double ProbabilityThreshold { get; set; } = 0.5;

    /// <summary>The fixed τ, or null for batch-median.</summary>
    public double? FixedTau => Tau == "batch-median" ? null : double.Parse(Tau, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tau == "batch-median") yield break;
        if (!double.TryParse(Tau, NumberStyles.Float, CultureInfo.InvariantCulture, out var tau) || !(tau > 0) || double.IsInfinity(tau))
        {
            yield return new ValidationResult($"'{Tau}' is not a temperature: use 'batch-median' or a positive number.", [nameof(Tau)]);
        }
    }
}
