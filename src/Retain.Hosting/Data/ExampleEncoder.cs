using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Configuration;
using Retain.Kernel.Chat;

namespace Retain.Hosting.Data;

/// <summary>
/// An example as token ids: the chat-templated prompt (with the dataset's response prefix) followed by the target;
/// only positions from <see cref="PromptLength"/> on are supervised.
/// </summary>
/// <param name="Ids">Prompt then target ids.</param>
/// <param name="PromptLength">Unsupervised leading ids.</param>
/// <param name="ExampleIndex">Index of the example in its split.</param>
/// <param name="Truncated">Whether the target was cut to fit.</param>
public sealed record EncodedExample(int[] Ids, int PromptLength, int ExampleIndex, bool Truncated)
{
    /// <summary>Supervised ids.</summary>
    public int TargetLength => Ids.Length - PromptLength;
}

/// <summary>What encoding a split produced.</summary>
public sealed class EncodedSplit
{
    /// <summary>Usable examples.</summary>
    public required IReadOnlyList<EncodedExample> Examples { get; init; }

    /// <summary>Examples whose target was cut at the maximum length.</summary>
    public int Truncated { get; init; }

    /// <summary>Examples left out, with the reason (source and lengths).</summary>
    public required IReadOnlyList<string> Dropped { get; init; }
}

/// <summary>
/// Turns examples into training sequences with the model's chat template: the prompt is rendered with the
/// generation prompt, the dataset's <see cref="Example.ResponsePrefix"/> is appended to it (unsupervised), and the
/// target — what the model must produce after that — is supervised, end-of-turn token included. Longer sequences
/// than the maximum are truncated (the target's end is cut) or dropped, as configured; both are counted.
/// </summary>
public sealed class ExampleEncoder(ITextTokenizer tokenizer, ChatTemplate template, int maxLength, OverLengthPolicy policy)
{
    /// <summary>The template in use.</summary>
    public ChatTemplate Template => template;

    /// <summary>The text a model is given to answer an example: the generation prompt plus the response prefix.</summary>
    public string GenerationPrompt(Example example) => template.Render(example.Prompt, addGenerationPrompt: true) + example.ResponsePrefix;

    /// <summary>The prompt and supervised text of an example.</summary>
    public (string Prompt, string Target) Texts(Example example)
    {
        var text = template.RenderForTraining(example.Prompt, example.ResponsePrefix + example.Target);
        string prompt = text.Prompt, target = text.Target;
        if (example.ResponsePrefix.Length > 0)
        {
            // The prefix is given to the model at generation time, so it is context, not something to learn.
            int at = target.IndexOf(example.ResponsePrefix, StringComparison.Ordinal);
            if (at >= 0)
            {
                prompt += target[..(at + example.ResponsePrefix.Length)];
                target = target[(at + example.ResponsePrefix.Length)..];
            }
        }
        return (prompt, target);
    }

    /// <summary>Encodes one example; null with a reason when it cannot be used.</summary>
    public EncodedExample? Encode(Example example, int index, out string? reason)
    {
        reason = null;
        var (promptText, targetText) = Texts(example);
        var prompt = tokenizer.Encode(promptText, template.AddSpecialTokensWhenEncoding);
        var target = tokenizer.Encode(targetText, addSpecialTokens: false);
        if (target.Length == 0)
        {
            reason = $"{Where(example)}: the target encodes to no tokens.";
            return null;
        }
        int total = prompt.Length + target.Length;
        bool truncated = false;
        if (total > maxLength)
        {
            if (policy == OverLengthPolicy.Drop)
            {
                reason = $"{Where(example)}: {total} tokens (prompt {prompt.Length} + target {target.Length}) exceed maxLength {maxLength}.";
                return null;
            }
            if (prompt.Length >= maxLength)
            {
                reason = $"{Where(example)}: the prompt alone is {prompt.Length} tokens, not less than maxLength {maxLength}, so nothing of the target would remain.";
                return null;
            }
            target = target[..(maxLength - prompt.Length)];
            truncated = true;
        }
        return new EncodedExample([.. prompt, .. target], prompt.Length, index, truncated);
    }

    /// <summary>Encodes a split, counting truncations and listing drops.</summary>
    public EncodedSplit EncodeAll(IReadOnlyList<Example> examples)
    {
        var encoded = new EncodedExample?[examples.Count];
        var reasons = new string?[examples.Count];
        Parallel.For(0, examples.Count, i => encoded[i] = Encode(examples[i], i, out reasons[i]));
        return new EncodedSplit
        {
            Examples = encoded.Where(e => e is not null).Select(e => e!).ToList(),
            Truncated = encoded.Count(e => e is { Truncated: true }),
            Dropped = reasons.Where(r => r is not null).Select(r => r!).ToList(),
        };
    }

    private static string Where(Example example) => example.Source.Length > 0 ? example.Source : $"example {example.Id}";
}
