using Retain.Data;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.Fakes;

/// <summary>
/// A language model whose answers the test scripts: generation returns a function of the prompt, log-likelihood a
/// function of (context, continuation). It records every request so tests can check prompts exactly.
/// </summary>
internal sealed class ScriptedModel : ILanguageModel
{
    public Func<GenerationRequest, string> Respond { get; init; } = _ => "";
    public Func<LoglikelihoodRequest, double> Score { get; init; } = _ => 0;
    public bool ChatTemplate { get; init; }
    public List<GenerationRequest> Generated { get; } = [];
    public List<LoglikelihoodRequest> Scored { get; } = [];

    public string Id { get; init; } = "scripted-model";
    public string Name { get; init; } = "scripted";
    public ITextTokenizer Tokenizer { get; } = new CharTokenizer();
    public int MaxSequenceLength => 4096;
    public bool HasChatTemplate => ChatTemplate;

    public string FormatChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        string.Concat(messages.Select(m => $"<|{m.Role}|>{m.Content}<|end|>")) + (addGenerationPrompt ? "<|assistant|>" : "");

    public IReadOnlyList<string> Generate(IReadOnlyList<GenerationRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        Generated.AddRange(requests);
        var outputs = new List<string>();
        foreach (var r in requests)
        {
            outputs.Add(Respond(r));
            progress?.Report(outputs.Count);
        }
        return outputs;
    }

    public IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        Scored.AddRange(requests);
        var results = new List<LoglikelihoodResult>();
        foreach (var r in requests)
        {
            results.Add(new LoglikelihoodResult(Score(r), false, r.Continuation.Length));
            progress?.Report(results.Count);
        }
        return results;
    }

    /// <summary>One token per UTF-16 unit; enough for tests that never look at ids.</summary>
    private sealed class CharTokenizer : ITextTokenizer
    {
        public int[] Encode(string text, bool addSpecialTokens = false) => text.Select(c => (int)c).ToArray();
        public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
        {
            var chars = new char[ids.Length];
            for (int i = 0; i < ids.Length; i++) chars[i] = (char)ids[i];
            return new string(chars);
        }
        public int VocabularySize => 65536;
        public int? BosTokenId => null;
        public IReadOnlyList<int> EosTokenIds => [];
    }
}
