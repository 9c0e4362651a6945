using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Retain.Benchmarks.Continuation;

/// <summary>Options of the <c>continuation</c> benchmark.</summary>
public sealed class ContinuationOptions
{
    /// <summary>Used when <see cref="Prompts"/> is empty: short story openings any English model can continue.</summary>
    public static readonly IReadOnlyList<string> DefaultPrompts =
    [
        "Once upon a time", "One day,", "There was a little", "Lily and Ben", "The sun was", "In the park,", "Tom wanted to", "Mom said",
    ];

    /// <summary>The prompts the reference model continues.</summary>
    [Description("Prompts the reference model continues; empty uses eight short story openings. An empty string samples from BOS alone.")]
    public List<string> Prompts { get; set; } = [];

    /// <summary>The prompts in effect.</summary>
    public IReadOnlyList<string> EffectivePrompts => Prompts.Count > 0 ? Prompts : DefaultPrompts;

    /// <summary>Samples per prompt.</summary>
    [Description("Continuations sampled per prompt.")]
    [Range(1, 1000)]
    public int SamplesPerPrompt { get; set; } = 8;

    /// <summary>Sample length.</summary>
    [Description("Maximum new tokens per sampled continuation.")]
    [Range(1, 4096)]
    public int MaxNewTokens { get; set; } = 64;

    /// <summary>Sampling temperature.</summary>
    [Description("Sampling temperature of the reference model (1 = its own distribution, which makes the score an estimate of exp(-KL)).")]
    [Range(0.01, 10.0)]
    public double Temperature { get; set; } = 1.0;

    /// <summary>Nucleus mass.</summary>
    [Description("Nucleus mass of the reference sampling (1 = off).")]
    [Range(0.01, 1.0)]
    public double TopP { get; set; } = 1.0;
}
