using Retain.Data;
using Retain.Evaluation;
using Retain.Kernel.Models;
using Retain.Kernel.Tokenization;

namespace Retain.Kernel.Inference;

/// <summary>Settings of a <see cref="KernelLanguageModel"/>.</summary>
public sealed record KernelLanguageModelOptions
{
    /// <summary>Display name.</summary>
    public string Name { get; init; } = "model";

    /// <summary>Content hash; computed from the weights (and <see cref="TokenizerDirectory"/>) on first use when null.</summary>
    public string? Id { get; init; }

    /// <summary>Directory whose tokenizer files enter the computed <see cref="Id"/>.</summary>
    public string? TokenizerDirectory { get; init; }

    /// <summary>Longest context + generation; 0 = the model's max positions.</summary>
    public int MaxSequenceLength { get; init; }

    /// <summary>Sequences decoded together.</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>Tokens per scoring forward.</summary>
    public int ScoringTokensPerBatch { get; init; } = 4096;

    /// <summary>
    /// Whether log-likelihood requests encode with special tokens (lm-eval v0.4.9.1: only when the model's add_bos_token
    /// flag is set, which it forces for Gemma). Null = true exactly for Gemma model types.
    /// </summary>
    public bool? AddSpecialTokensWhenScoring { get; init; }

    /// <summary>Extra end ids (e.g. from generation_config.json) besides the config's and the tokenizer's.</summary>
    public IReadOnlyList<int> ExtraEndIds { get; init; } = [];

    /// <summary>Repetition penalty applied to every generation (generation_config.json's, when the HF backend is mirrored); 1 = off.</summary>
    public double RepetitionPenalty { get; init; } = 1;
}

/// <summary>
/// <see cref="ILanguageModel"/> over a loaded <see cref="TransformerModel"/>, a tokenizer and a chat formatter:
/// batched KV-cache generation with stop strings and end ids, and lm-eval-compatible log-likelihood scoring.
/// </summary>
public sealed class KernelLanguageModel : ILanguageModel
{
    private readonly TransformerModel _model;
    private readonly Func<IReadOnlyList<ChatMessage>, bool, string>? _chat;
    private readonly KernelLanguageModelOptions _options;
    private readonly Lazy<string> _id;
    private readonly int[] _endIds;

    /// <summary>Wraps a model; <paramref name="chatFormatter"/> renders (messages, addGenerationPrompt) or is null when there is no chat template.</summary>
    public KernelLanguageModel(TransformerModel model, ITextTokenizer tokenizer, Func<IReadOnlyList<ChatMessage>, bool, string>? chatFormatter,
        KernelLanguageModelOptions? options = null)
    {
        _model = model;
        Tokenizer = tokenizer;
        _chat = chatFormatter;
        _options = options ?? new KernelLanguageModelOptions();
        _id = new Lazy<string>(() => _options.Id ?? ContentHash.OfModel(model, _options.TokenizerDirectory));
        _endIds = model.Config.EosTokenIds.Concat(tokenizer.EosTokenIds).Concat(_options.ExtraEndIds).Distinct().ToArray();
        MaxSequenceLength = _options.MaxSequenceLength > 0 ? Math.Min(_options.MaxSequenceLength, model.MaxPositions) : model.MaxPositions;
    }

    /// <summary>Loads a Hugging Face model directory: weights, generation_config.json end ids and repetition penalty (when
    /// <paramref name="useGenerationConfigPenalty"/>), and the directory hash as <see cref="Id"/>.</summary>
    public static KernelLanguageModel Load(string modelDirectory, Backends.IBackend backend, ITextTokenizer tokenizer,
        Func<IReadOnlyList<ChatMessage>, bool, string>? chatFormatter, KernelLanguageModelOptions? options = null, bool useGenerationConfigPenalty = false)
    {
        modelDirectory = ModelSource.Resolve(modelDirectory);
        var config = ModelConfig.Load(modelDirectory);
        var generation = GenerationConfig.Load(modelDirectory);
        CheckTokenIds(modelDirectory, config, generation, tokenizer);
        var model = Checkpoint.Load(modelDirectory, backend);
        options ??= new KernelLanguageModelOptions();
        options = options with
        {
            Name = options.Name == "model" ? Path.GetFileName(Path.GetFullPath(modelDirectory).TrimEnd(Path.DirectorySeparatorChar)) : options.Name,
            Id = options.Id ?? ContentHash.OfModelDirectory(modelDirectory),
            ExtraEndIds = options.ExtraEndIds.Concat(generation.EosTokenIds).ToArray(),
            RepetitionPenalty = useGenerationConfigPenalty ? generation.RepetitionPenalty : options.RepetitionPenalty,
        };
        return new KernelLanguageModel(model, tokenizer, chatFormatter, options);
    }

    /// <summary>
    /// Refuses, at load, token ids the embedding has no row for — the tokenizer's own ids and every special id in
    /// config.json, generation_config.json and the tokenizer files — instead of failing at the first batch that holds one.
    /// </summary>
    private static void CheckTokenIds(string directory, ModelConfig config, GenerationConfig generation, ITextTokenizer tokenizer)
    {
        int vocab = config.VocabSize;
        string configFile = Path.Combine(directory, "config.json");
        string limit = $"the embedding has vocab_size = {vocab} rows ({configFile}), so ids must be below {vocab}";
        void Check(int? id, string file, string key)
        {
            if (id is int value && (value < 0 || value >= vocab)) throw new ModelFormatException($"{file}: key '{key}' is {value}, but {limit}.");
        }
        if (tokenizer.VocabularySize > vocab)
        {
            int last = tokenizer.VocabularySize - 1;
            string file = tokenizer is Tokenizer t ? t.SourcePath : Path.Combine(directory, "tokenizer.json");
            string token = tokenizer is Tokenizer named && named.IdToToken(last) is { } text ? $"token '{text}' has id {last}" : $"ids go up to {last}";
            throw new ModelFormatException($"{file}: {token}, but {limit}; the tokenizer and the weights do not belong together.");
        }
        Check(config.BosTokenId, configFile, "bos_token_id");
        foreach (int id in config.EosTokenIds) Check(id, configFile, "eos_token_id");
        string generationFile = Path.Combine(directory, "generation_config.json");
        Check(generation.BosTokenId, generationFile, "bos_token_id");
        Check(generation.PadTokenId, generationFile, "pad_token_id");
        foreach (int id in generation.EosTokenIds) Check(id, generationFile, "eos_token_id");
        string tokenizerConfig = Path.Combine(directory, "tokenizer_config.json");
        Check(tokenizer.BosTokenId, tokenizerConfig, "bos_token");
        foreach (int id in tokenizer.EosTokenIds) Check(id, tokenizerConfig, "eos_token");
    }

    /// <summary>The underlying model.</summary>
    public TransformerModel Model => _model;

    /// <inheritdoc />
    public string Id => _id.Value;

    /// <inheritdoc />
    public string Name => _options.Name;

    /// <inheritdoc />
    public ITextTokenizer Tokenizer { get; }

    /// <inheritdoc />
    public int MaxSequenceLength { get; }

    /// <inheritdoc />
    public bool HasChatTemplate => _chat is not null;

    /// <summary>The ids that end generation.</summary>
    public IReadOnlyList<int> EndIds => _endIds;

    /// <inheritdoc />
    public string FormatChat(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        _chat is null ? throw new InvalidOperationException($"Model '{Name}' has no chat template.") : _chat(messages, addGenerationPrompt);

    /// <inheritdoc />
    public IReadOnlyList<string> Generate(IReadOnlyList<GenerationRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var inputs = new GenerationInput[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            var settings = requests[i].Settings;
            if (settings.MaxNewTokens >= MaxSequenceLength)
            {
                throw new ArgumentException($"Request {i}: {settings.MaxNewTokens} new tokens leave no room for a context in {MaxSequenceLength} positions.");
            }
            var ids = Tokenizer.Encode(requests[i].Prompt, requests[i].AddSpecialTokens);
            // lm-eval keeps the last max_length − max_gen_toks context tokens.
            int keep = MaxSequenceLength - settings.MaxNewTokens;
            if (ids.Length > keep) ids = ids[^keep..];
            if (ids.Length == 0)
            {
                int? prefix = Tokenizer.BosTokenId ?? (_endIds.Length > 0 ? _endIds[0] : null);
                ids = prefix is int p ? [p] : throw new ArgumentException($"Request {i}: the prompt encodes to no tokens and the tokenizer has no BOS/EOS to start from.");
            }
            var stops = settings.Stop.Where(s => s.Length > 0).ToArray();
            int tail = stops.Length == 0 ? 0 : stops.Max(s => Tokenizer.Encode(s).Length) + 2;
            Func<IReadOnlyList<int>, bool>? shouldStop = stops.Length == 0 ? null : tokens =>
            {
                int start = Math.Max(0, tokens.Count - tail);
                var window = new int[tokens.Count - start];
                for (int t = 0; t < window.Length; t++) window[t] = tokens[start + t];
                string text = Tokenizer.Decode(window, skipSpecialTokens: true);
                return stops.Any(s => text.Contains(s, StringComparison.Ordinal));
            };
            var sampling = new SamplingOptions(settings.Temperature, settings.TopP, settings.Seed, _options.RepetitionPenalty, settings.TopK);
            inputs[i] = new GenerationInput(ids, settings.MaxNewTokens, sampling, _endIds, shouldStop);
        }
        var outputs = new Generator(_model, _options.MaxBatch).Generate(inputs, progress, cancellationToken);
        var texts = new string[outputs.Count];
        for (int i = 0; i < outputs.Count; i++)
        {
            string text = Tokenizer.Decode(outputs[i].Tokens, skipSpecialTokens: true);
            foreach (var stop in requests[i].Settings.Stop)
            {
                if (stop.Length == 0) continue;
                int at = text.IndexOf(stop, StringComparison.Ordinal);
                if (at >= 0) text = text[..at];
            }
            texts[i] = text;
        }
        return texts;
    }

    /// <inheritdoc />
    public IReadOnlyList<LoglikelihoodResult> Loglikelihood(IReadOnlyList<LoglikelihoodRequest> requests, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        bool special = _options.AddSpecialTokensWhenScoring ?? _model.Config.ModelType.Contains("gemma", StringComparison.Ordinal);
        var pairs = new (int[] Context, int[] Continuation)[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            pairs[i] = EncodePair(requests[i].Context, requests[i].Continuation, special, i);
        }
        var scorer = new Scorer(_model, _options.ScoringTokensPerBatch);
        var results = new LoglikelihoodResult[requests.Count];
        const int chunk = 64;
        for (int start = 0; start < pairs.Length; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(chunk, pairs.Length - start);
            var scores = scorer.Continuations(pairs.AsSpan(start, count).ToArray());
            for (int i = 0; i < count; i++) results[start + i] = new LoglikelihoodResult(scores[i].LogLikelihood, scores[i].IsGreedy, scores[i].TokenCount);
            progress?.Report(start + count);
        }
        return results;
    }

    /// <summary>
    /// lm-eval's request encoding: an empty context becomes the prefix token (BOS, else EOS) and the continuation is
    /// encoded alone; otherwise trailing whitespace of the context moves to the continuation, context + continuation is
    /// encoded as one string and split at the context's own token count.
    /// </summary>
    public (int[] Context, int[] Continuation) EncodePair(string context, string continuation, bool addSpecialTokens, int index = 0)
    {
        if (context.Length == 0)
        {
            int? prefix = Tokenizer.BosTokenId ?? (_endIds.Length > 0 ? _endIds[0] : null);
            if (prefix is null) throw new ArgumentException($"Request {index}: an empty context needs a BOS or EOS token to condition on.");
            return ([prefix.Value], Tokenizer.Encode(continuation, addSpecialTokens));
        }
        int trimmed = context.Length;
        while (trimmed > 0 && IsPythonWhitespace(context[trimmed - 1])) trimmed--;
        if (trimmed < context.Length)
        {
            continuation = context[trimmed..] + continuation;
            context = context[..trimmed];
        }
        var whole = Tokenizer.Encode(context + continuation, addSpecialTokens);
        var contextIds = Tokenizer.Encode(context, addSpecialTokens);
        if (contextIds.Length > whole.Length) throw new ArgumentException($"Request {index}: the context encodes to more tokens than context + continuation.");
        return (contextIds, whole[contextIds.Length..]);
    }

    /// <summary>Python's str.isspace for one UTF-16 unit (adds the \x1c–\x1f separators .NET does not count).</summary>
    private static bool IsPythonWhitespace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';
}
