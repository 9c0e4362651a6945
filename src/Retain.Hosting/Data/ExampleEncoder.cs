using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Configuration;
using Retain.Kernel.Chat;

namespace Retain.Hosting.Data;

/// <summary>
/// An example as token ids: the chat-templated prompt (with the dataset's response prefix) followed by the target;
/// positions from <see cref="PromptLength"/> on are supervised, except where <see cref="SupervisedMask"/> says
/// otherwise (multi-turn examples whose earlier assistant turns are supervised too).
/// </summary>
/// <param name="Ids">Prompt then target ids.</param>
/// <param name="PromptLength">Unsupervised leading ids (up to the first supervised one).</param>
/// <param name="ExampleIndex">Index of the example in its split.</param>
/// <param name="Truncated">Whether the target was cut to fit.</param>
public sealed record EncodedExample(int[] Ids, int PromptLength, int ExampleIndex, bool Truncated)
{
    /// <summary>Which positions are supervised, when not simply those from <see cref="PromptLength"/> on.</summary>
    public bool[]? SupervisedMask { get; init; }

    /// <summary>Supervised ids.</summary>
    public int TargetLength => SupervisedMask?.Count(s => s) ?? Ids.Length - PromptLength;

    /// <summary>Whether each position is supervised.</summary>
    public bool[] Supervision() => SupervisedMask ?? Enumerable.Range(0, Ids.Length).Select(t => t >= PromptLength).ToArray();
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
/// target — what the model must produce after that — is supervised, end-of-turn token included. An example with
/// <see cref="Example.SuperviseHistory"/> has each earlier assistant turn of its prompt supervised the same way (the
/// text the template adds for that turn after its generation prompt). Longer sequences than the maximum are truncated
/// (the end is cut) or dropped, as configured; both are counted.
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

    /// <summary>
    /// The example's text as consecutive parts, each supervised or not: the prompt and the target, or, with
    /// <see cref="Example.SuperviseHistory"/>, context and assistant turns alternating.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template renders an earlier assistant turn differently inside the
    /// conversation than as a final turn (e.g. Qwen3 drops earlier turns' reasoning), so that turn cannot be supervised.</exception>
    public IReadOnlyList<(string Text, bool Supervised)> Segments(Example example)
    {
        var (prompt, target) = Texts(example);
        if (!example.SuperviseHistory || !example.Prompt.Any(m => m.Role == "assistant")) return [(prompt, false), (target, true)];
        var segments = new List<(string, bool)>();
        int done = 0;
        for (int k = 0; k < example.Prompt.Count; k++)
        {
            if (example.Prompt[k].Role != "assistant") continue;
            SftText? turn;
            try
            {
                turn = k == 0 ? null : template.RenderForTraining(example.Prompt.Take(k).ToList(), example.Prompt[k].Content);
            }
            catch (ChatTemplateException)
            {
                turn = null;
            }
            if (turn is null || turn.Prompt.Length < done || !prompt.StartsWith(turn.Prompt + turn.Target, StringComparison.Ordinal))
            {
                throw new ChatTemplateException(
                    $"{Where(example)}: with the {template.Name} chat template the assistant turn {k} cannot be supervised: the conversation does not render it as it renders a final turn; train on the last turn only (supervisedTurns: last).");
            }
            segments.Add((prompt[done..turn.Prompt.Length], false));
            segments.Add((turn.Target, true));
            done = turn.Prompt.Length + turn.Target.Length;
        }
        segments.Add((prompt[done..], false));
        segments.Add((target, true));
        return segments;
    }

    /// <summary>Encodes one example; null with a reason when it cannot be used.</summary>
    public EncodedExample? Encode(Example example, int index, out string? reason)
    {
        if (example.SuperviseHistory && example.Prompt.Any(m => m.Role == "assistant")) return EncodeSegments(example, index, out reason);
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

    /// <summary>Encodes a multi-turn example part by part (each part on its own, as prompt and target are), with its mask.</summary>
    private EncodedExample? EncodeSegments(Example example, int index, out string? reason)
    {
        reason = null;
        IReadOnlyList<(string Text, bool Supervised)> segments;
        try
        {
            segments = Segments(example);
        }
        catch (ChatTemplateException e)
        {
            reason = e.Message;
            return null;
        }
        var ids = new List<int>();
        var mask = new List<bool>();
        bool first = true;
        foreach (var (text, supervised) in segments)
        {
            var part = tokenizer.Encode(text, first && template.AddSpecialTokensWhenEncoding);
            first = false;
            ids.AddRange(part);
            mask.AddRange(Enumerable.Repeat(supervised, part.Length));
        }
        int promptLength = mask.IndexOf(true);
        if (promptLength < 0)
        {
            reason = $"{Where(example)}: the target encodes to no tokens.";
            return null;
        }
        bool truncated = false;
        if (ids.Count > maxLength)
        {
            if (policy == OverLengthPolicy.Drop)
            {
                reason = $"{Where(example)}: {ids.Count} tokens exceed maxLength {maxLength}.";
                return null;
            }
            if (promptLength >= maxLength)
            {
                reason = $"{Where(example)}: the first supervised token is at position {promptLength}, not below maxLength {maxLength}, so nothing supervised would remain.";
                return null;
            }
            ids.RemoveRange(maxLength, ids.Count - maxLength);
            mask.RemoveRange(maxLength, mask.Count - maxLength);
            truncated = true;
        }
        return new EncodedExample([.. ids], promptLength, index, truncated) { SupervisedMask = [.. mask] };
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
