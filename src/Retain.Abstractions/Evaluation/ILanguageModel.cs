using Retain.Data;

namespace Retain.Evaluation;

/// <summary>
/// A loaded model as evaluators see it: tokenizer, chat formatting, batched generation and log-likelihood scoring.
/// Implemented by the kernel on whichever backend the run uses.
/// </summary>
public interface ILanguageModel
{
    /// <summary>A content hash of the weights and tokenizer; caches of results are keyed by it.</summary>
    string Id { get; }

    /// <summary>A display name (the model directory's name, or a run label).</summary>
    string Name { get; }

    /// <summary>The tokenizer.</summary>
    ITextTokenizer Tokenizer { get; }

    /// <summary>The longest sequence the model accepts (context plus generation).</summary>
    int MaxSequenceLength { get; }

    /// <summary>Whether <see cref="FormatChat"/> has a template to apply.</summary>
    bool HasChatTemplate { get; }

    /// <summary>Renders messages with the model's chat template, exactly as Hugging Face renders them.</summary>
    string FormatChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt);

    /// <summary>Generates a continuation of each prompt (already formatted text), in order.</summary>
    IReadOnlyList<string> Generate(IReadOnlyList<GenerationRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>log p(continuation | context) for each request, in order.</summary>
    IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default);
}

/// <summary>Encodes and decodes text.</summary>
public interface ITextTokenizer
{
    /// <summary>Token ids of <paramref name="text"/>; with <paramref name="addSpecialTokens"/>, as the tokenizer's post-processor adds them (e.g. BOS).</summary>
    int[] Encode(string text, bool addSpecialTokens = false);

    /// <summary>The text of <paramref name="ids"/>.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false);

    /// <summary>Vocabulary size including added tokens.</summary>
    int VocabularySize { get; }

    /// <summary>The BOS id, if any.</summary>
    int? BosTokenId { get; }

    /// <summary>Ids that end generation (from generation_config.json / tokenizer_config.json).</summary>
    IReadOnlyList<int> EosTokenIds { get; }
}

/// <summary>How to generate.</summary>
/// <param name="MaxNewTokens">Token budget.</param>
/// <param name="Stop">Generation ends before the first occurrence of any of these strings (excluded from the output).</param>
/// <param name="Temperature">0 means greedy.</param>
/// <param name="TopP">Nucleus mass, 1 = off.</param>
/// <param name="Seed">Sampling seed.</param>
public sealed record GenerationSettings(int MaxNewTokens, IReadOnlyList<string> Stop, double Temperature = 0, double TopP = 1, int Seed = 0)
{
    /// <summary>
    /// Top-k: sample only among the tokens whose logit is at least the k-th largest (ties kept, as transformers'
    /// <c>TopKLogitsWarper</c>); applied after the temperature and before top-p. 0 = off.
    /// </summary>
    public int TopK { get; init; }

    /// <summary>Greedy decoding with the given budget and stops.</summary>
    public static GenerationSettings Greedy(int maxNewTokens, params string[] stop) => new(maxNewTokens, stop);
}

/// <summary>One generation.</summary>
/// <param name="Prompt">The formatted prompt text.</param>
/// <param name="Settings">How to generate.</param>
/// <param name="AddSpecialTokens">Whether to add the tokenizer's special tokens (BOS) when encoding the prompt.</param>
public sealed record GenerationRequest(string Prompt, GenerationSettings Settings, bool AddSpecialTokens = true);

/// <summary>One log-likelihood query, lm-eval style: context and continuation are encoded as lm-eval does
/// (whole string, then split at the context's token length, trailing context spaces moved to the continuation).</summary>
/// <param name="Context">The conditioning text (may be empty: then BOS or the model's prefix token conditions).</param>
/// <param name="Continuation">The scored text.</param>
public sealed record LoglikelihoodRequest(string Context, string Continuation);

/// <summary>The score of a continuation.</summary>
/// <param name="LogLikelihood">Σ log p of the continuation tokens, in nats.</param>
/// <param name="IsGreedy">Whether every continuation token is the argmax.</param>
/// <param name="TokenCount">Number of continuation tokens.</param>
public sealed record LoglikelihoodResult(double LogLikelihood, bool IsGreedy, int TokenCount);
