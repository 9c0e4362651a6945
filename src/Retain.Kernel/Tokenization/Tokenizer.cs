using Retain.Evaluation;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> tokenizer (byte-level BPE as in Qwen2/2.5/3, Llama 3, GPT-2, SmolLM2, and
/// SentencePiece-style BPE with byte fallback as in Gemma 3 and Llama 2), producing the ids the Rust
/// <c>tokenizers</c> library produces. Thread-safe.
/// </summary>
/// <remarks>
/// Encoding follows the Rust pipeline: added tokens are cut out of the raw text first (leftmost-longest), each
/// remaining stretch is normalized, normalized added tokens are cut out, the rest is pre-tokenized into words, each
/// word is mapped to the byte alphabet when the pre-tokenizer is ByteLevel and merged by the BPE model. Truncation
/// and padding settings in the file are ignored, as transformers ignores them unless asked.
/// </remarks>
public sealed class Tokenizer : ITextTokenizer
{
    private readonly AddedVocabulary _added;
    private readonly Normalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly bool _byteLevel;
    private readonly BpeModel _model;
    private readonly Decoder? _decoder;
    private readonly WordCache _words = new();
    private SpecialTokenTemplate _specialTokens;

    private Tokenizer(string sourcePath, AddedVocabulary added, Normalizer? normalizer, PreTokenizer? preTokenizer,
        BpeModel model, Decoder? decoder, SpecialTokenTemplate specialTokens)
    {
        SourcePath = sourcePath;
        _added = added;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _byteLevel = preTokenizer?.MapsToByteLevel ?? false;
        _model = model;
        _decoder = decoder;
        _specialTokens = specialTokens;
        VocabularySize = Math.Max(model.IdCount, added.Tokens.Select(t => t.Id + 1).DefaultIfEmpty(0).Max());
    }

    /// <summary>The tokenizer.json this tokenizer was read from.</summary>
    public string SourcePath { get; }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public int? BosTokenId { get; private set; }

    /// <summary>The BOS text (e.g. <c>&lt;bos&gt;</c>), if any; chat templates render it.</summary>
    public string? BosToken { get; private set; }

    /// <summary>The EOS text from tokenizer_config.json (e.g. <c>&lt;|im_end|&gt;</c>), if any.</summary>
    public string? EosToken { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<int> EosTokenIds { get; private set; } = [];

    /// <summary>The ids <c>Encode(addSpecialTokens: true)</c> puts before the text.</summary>
    public IReadOnlyList<int> PrefixTokenIds => _specialTokens.Prefix;

    /// <summary>The ids <c>Encode(addSpecialTokens: true)</c> puts after the text.</summary>
    public IReadOnlyList<int> SuffixTokenIds => _specialTokens.Suffix;

    /// <summary>The added tokens (<c>added_tokens</c>), including the special ones.</summary>
    public IEnumerable<AddedToken> AddedTokens => _added.Tokens.OrderBy(t => t.Id);

    /// <summary>
    /// Reads a tokenizer. <paramref name="path"/> is a <c>tokenizer.json</c> file or a model directory holding one;
    /// configuration files beside it (tokenizer_config.json, special_tokens_map.json, generation_config.json,
    /// config.json) are read when present.
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither a tokenizer.json nor a directory with one.</exception>
    /// <exception cref="TokenizerFormatException">A file is malformed or uses a component this kernel lacks.</exception>
    public static Tokenizer Load(string path)
    {
        var files = TokenizerFiles.Locate(path);
        var file = files.TokenizerJsonPath;
        var (document, root) = JsonNode.ParseFile(file);
        Tokenizer tokenizer;
        using (document)
        {
            var normalizer = Normalizer.FromJson(root.Optional("normalizer"));
            var preTokenizer = PreTokenizer.FromJson(root.Optional("pre_tokenizer"));
            var model = BpeModel.FromJson(root.Required("model"));
            var decoder = Decoder.FromJson(root.Optional("decoder"));
            var postProcessor = SpecialTokenTemplate.FromJson(root.Optional("post_processor"));
            var addedTokens = root.Optional("added_tokens")?.Items().Select(ReadAddedToken).ToList() ?? [];
            var added = new AddedVocabulary(addedTokens, s => normalizer?.Normalize(s) ?? s);
            tokenizer = new Tokenizer(file, added, normalizer, preTokenizer, model, decoder, postProcessor ?? SpecialTokenTemplate.None);
            tokenizer.ApplySettings(TokenizerSettings.Read(files), postProcessor is not null);
        }
        return tokenizer;
    }

    private static AddedToken ReadAddedToken(JsonNode node) => new(
        node.Required("id").AsInt(), node.String("content"), node.Bool("single_word", false), node.Bool("lstrip", false),
        node.Bool("rstrip", false), node.Bool("normalized", false), node.Bool("special", false));

    private void ApplySettings(TokenizerSettings settings, bool hasPostProcessor)
    {
        var configFile = settings.TokenizerConfigPath ?? TokenizerFiles.TokenizerConfigJson;
        int? Resolve(string? token, string key, string? file) => token is null
            ? null
            : TokenToId(token) ?? throw new TokenizerFormatException(file ?? configFile, key, $"'{token}' is not a token of {SourcePath}");

        BosToken = settings.BosToken.Value;
        EosToken = settings.EosToken.Value;
        var bosId = Resolve(BosToken, "bos_token", settings.BosTokenFile);
        var eosId = Resolve(EosToken, "eos_token", settings.EosTokenFile);
        BosTokenId = settings.BosToken.Present ? bosId : settings.ConfigBosTokenId ?? (_specialTokens.Prefix is [var first, ..] ? first : null);
        if (BosToken is null && BosTokenId is { } b) BosToken = IdToToken(b);

        if (settings.EosTokenIds is { } configured) EosTokenIds = configured.Ids;
        else if (eosId is { } e) EosTokenIds = [e];

        if (settings.FlagsOverridePostProcessor(hasPostProcessor))
        {
            int Required(int? id, string key) => id ?? throw new TokenizerFormatException(configFile, key,
                $"is true but {key.Replace("add_", "")} is not set");
            _specialTokens = new SpecialTokenTemplate(
                settings.AddBos ? [Required(bosId, "add_bos_token")] : [],
                settings.AddEos ? [Required(eosId, "add_eos_token")] : []);
        }
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="text"/> holds an unpaired surrogate (not valid Unicode).</exception>
    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ValidateScalars(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var specials = _specialTokens;
        if (addSpecialTokens) ids.AddRange(specials.Prefix);

        var segments = new List<AddedVocabulary.Segment>();
        _added.SplitRaw(text, 0, segments);
        var words = new WordSink(this, ids);
        foreach (var segment in segments)
        {
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
                continue;
            }
            var stretch = segment.Length == segment.Text.Length ? segment.Text : segment.Text.Substring(segment.Start, segment.Length);
            var normalized = _normalizer?.Normalize(stretch) ?? stretch;
            if (_added.HasNormalizedTokens)
            {
                var inner = new List<AddedVocabulary.Segment>();
                _added.SplitNormalized(normalized, segment.Offset, inner);
                foreach (var part in inner)
                {
                    if (part.Token is { } t) ids.Add(t.Id);
                    else EncodeStretch(part.Text.AsMemory(part.Start, part.Length), part.Offset == 0, words);
                }
            }
            else
            {
                EncodeStretch(normalized.AsMemory(), segment.Offset == 0, words);
            }
        }

        if (addSpecialTokens) ids.AddRange(specials.Suffix);
        return ids.ToArray();
    }

    private void EncodeStretch(ReadOnlyMemory<char> text, bool isFirst, WordSink words)
    {
        if (text.IsEmpty) return;
        var piece = new Piece(text, isFirst);
        if (_preTokenizer is null) words.Add(piece);
        else _preTokenizer.Apply(piece, words.Emit);
    }

    /// <summary>Receives the pre-tokenized words of one <see cref="Encode"/> call and appends their ids: from the word
    /// cache, or mapped to the byte alphabet (for byte-level tokenizers) and merged by the model.</summary>
    private sealed class WordSink
    {
        private readonly Tokenizer _tokenizer;
        private readonly List<int> _ids;
        private char[] _buffer = new char[256];

        public WordSink(Tokenizer tokenizer, List<int> ids)
        {
            _tokenizer = tokenizer;
            _ids = ids;
            Emit = Add;
        }

        public Action<Piece> Emit { get; }

        public void Add(Piece piece)
        {
            var word = piece.Span;
            var t = _tokenizer;
            if (!t._words.TryGet(word, out var wordIds))
            {
                wordIds = t._byteLevel
                    ? t._model.Tokenize(_buffer.AsSpan(0, ByteLevelAlphabet.Map(word, ref _buffer)))
                    : t._model.Tokenize(word);
                t._words.Add(word, wordIds);
            }
            _ids.AddRange(wordIds);
        }
    }

    /// <summary>The words the model would see for <paramref name="text"/> (normalized and pre-tokenized, before the
    /// byte-level mapping), ignoring added tokens.</summary>
    internal List<string> PreTokenize(string text)
    {
        var pieces = new List<Piece> { new((_normalizer?.Normalize(text) ?? text).AsMemory(), true) };
        _preTokenizer?.Apply(pieces);
        return pieces.Select(p => p.Span.ToString()).ToList();
    }

    private static void ValidateScalars(string text)
    {
        var span = text.AsSpan();
        var index = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        while (index >= 0)
        {
            if (!char.IsHighSurrogate(span[index]) || index + 1 >= span.Length || !char.IsLowSurrogate(span[index + 1]))
                throw new ArgumentException($"The text holds an unpaired surrogate (U+{(int)span[index]:X4}) at index {index}; it is not valid Unicode.", nameof(text));
            var next = span[(index + 2)..].IndexOfAnyInRange('\uD800', '\uDFFF');
            index = next < 0 ? -1 : index + 2 + next;
        }
    }

    /// <inheritdoc />
    /// <remarks>Ids that belong to no token are skipped, as the Rust library skips them (models often pad their
    /// embedding beyond the tokenizer's vocabulary). Without a decoder, tokens are joined with spaces.</remarks>
    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            var added = _added.ById(id);
            var token = added?.Content ?? _model.IdToToken(id);
            if (token is null) continue;
            if (skipSpecialTokens && (added ?? _added.ByContent(token)) is { Special: true }) continue;
            tokens.Add(token);
        }
        return _decoder is null ? string.Join(' ', tokens) : _decoder.Decode(tokens);
    }

    /// <summary>The id of a token (added tokens first, then the model vocabulary), or null.</summary>
    public int? TokenToId(string token) => _added.ByContent(token)?.Id ?? _model.TokenToId(token);

    /// <summary>The token text of an id (in the model's alphabet, e.g. <c>Ġthe</c>), or null.</summary>
    public string? IdToToken(int id) => _added.ById(id)?.Content ?? _model.IdToToken(id);

    /// <summary>Whether <paramref name="id"/> is a special added token.</summary>
    public bool IsSpecial(int id) => _added.ById(id) is { Special: true };
}
