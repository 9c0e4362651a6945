using System.Text;
using System.Text.Json;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// The BPE model of <c>tokenizer.json</c> (<c>models/bpe/model.rs</c>): a vocabulary, ranked merges, optional byte
/// fallback to <c>&lt;0xXX&gt;</c> tokens and an optional unknown token (fused across runs when <c>fuse_unk</c>). Results
/// per word are cached by the caller (<see cref="WordCache"/>).
/// </summary>
internal sealed class BpeModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly string?[] _idToToken;
    private readonly MergeTable _merges;
    private readonly int[] _bmpCharIds; // id of each single BMP character token, or -1 (used when there is no prefix/suffix)
    private readonly int[] _byteTokens; // id of <0xXX>, or -1
    private readonly int _unkId;
    private readonly bool _fuseUnk;
    private readonly bool _byteFallback;
    private readonly bool _ignoreMerges;
    private readonly string? _continuingSubwordPrefix;
    private readonly string? _endOfWordSuffix;

    private BpeModel(Dictionary<string, int> vocab, MergeTable merges, int unkId, bool fuseUnk,
        bool byteFallback, bool ignoreMerges, string? continuingSubwordPrefix, string? endOfWordSuffix)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        _unkId = unkId;
        _fuseUnk = fuseUnk;
        _byteFallback = byteFallback;
        _ignoreMerges = ignoreMerges;
        _continuingSubwordPrefix = continuingSubwordPrefix;
        _endOfWordSuffix = endOfWordSuffix;
        _idToToken = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _idToToken[id] = token;
        _bmpCharIds = new int[char.MaxValue + 1];
        Array.Fill(_bmpCharIds, -1);
        foreach (var (token, id) in vocab) if (token.Length == 1 && !char.IsSurrogate(token[0])) _bmpCharIds[token[0]] = id;
        _byteTokens = new int[256];
        for (var b = 0; b < 256; b++) _byteTokens[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
    }

    /// <summary>Number of ids the vocabulary spans (largest id + 1).</summary>
    public int IdCount => _idToToken.Length;

    public int? TokenToId(string token) => _vocab.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => id >= 0 && id < _idToToken.Length ? _idToToken[id] : null;

    public static BpeModel FromJson(JsonNode model)
    {
        var typeNode = model.Optional("type");
        var type = typeNode?.AsString() ?? (model.Has("merges") ? "BPE" : "");
        if (type != "BPE") throw (typeNode ?? model).Unsupported(type.Length == 0 ? "(no type)" : type, ["BPE"]);
        if (model.Optional("dropout") is { } dropout && dropout.AsDouble() != 0)
            throw dropout.Error("is set; BPE dropout makes encoding random and is not supported");

        var vocabNode = model.Required("vocab");
        var vocab = new Dictionary<string, int>(vocabNode.Element.GetPropertyCount(), StringComparer.Ordinal);
        foreach (var entry in vocabNode.Element.EnumerateObject())
        {
            vocab[entry.Name] = entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt32(out var id) && id >= 0
                ? id
                : throw vocabNode.Properties().First(p => p.Name == entry.Name).Value.Error("must be a non-negative integer id");
        }
        var lookup = vocab.GetAlternateLookup<ReadOnlySpan<char>>();

        var prefix = model.OptionalString("continuing_subword_prefix");
        if (prefix is { Length: 0 }) prefix = null;
        var suffix = model.OptionalString("end_of_word_suffix");
        if (suffix is { Length: 0 }) suffix = null;

        var mergesNode = model.Required("merges");
        if (mergesNode.Element.ValueKind != JsonValueKind.Array) throw mergesNode.Error("must be an array");
        var merges = new MergeTable(mergesNode.Element.GetArrayLength());
        var rank = 0;
        var buffer = new char[64];
        foreach (var entry in mergesNode.Element.EnumerateArray())
        {
            var (left, right) = ParseMerge(entry) ?? throw mergesNode.Item(rank).Error("must be \"left right\" or a pair [left, right] of strings");
            var leftId = vocab.TryGetValue(left, out var l) ? l : throw mergesNode.Item(rank).Error($"token '{left}' is not in the vocabulary");
            var rightId = vocab.TryGetValue(right, out var r) ? r : throw mergesNode.Item(rank).Error($"token '{right}' is not in the vocabulary");
            if (prefix is not null && right.StartsWith(prefix, StringComparison.Ordinal)) right = right[prefix.Length..];
            var length = left.Length + right.Length;
            if (buffer.Length < length) buffer = new char[length * 2];
            left.CopyTo(buffer);
            right.CopyTo(buffer.AsSpan(left.Length));
            var merged = buffer.AsSpan(0, length);
            var newId = lookup.TryGetValue(merged, out var m) ? m : throw mergesNode.Item(rank).Error($"merge result '{merged.ToString()}' is not in the vocabulary");
            // Later duplicates replace earlier ones, as when the Rust library collects the merges into a map.
            merges.Set(leftId, rightId, rank, newId);
            rank++;
        }

        var unkId = -1;
        if (model.Optional("unk_token") is { } unkNode)
        {
            var unk = unkNode.AsString();
            unkId = vocab.TryGetValue(unk, out var u) ? u : throw unkNode.Error($"'{unk}' is not in the vocabulary");
        }
        return new BpeModel(vocab, merges, unkId, model.Bool("fuse_unk", false), model.Bool("byte_fallback", false),
            model.Bool("ignore_merges", false), prefix, suffix);
    }

    /// <summary>A merge as <c>"left right"</c> (split on the one space) or <c>["left", "right"]</c>; null when malformed.</summary>
    private static (string Left, string Right)? ParseMerge(JsonElement entry)
    {
        if (entry.ValueKind == JsonValueKind.String)
        {
            var text = entry.GetString()!;
            var space = text.IndexOf(' ');
            if (space < 0 || text.IndexOf(' ', space + 1) >= 0) return null;
            return (text[..space], text[(space + 1)..]);
        }
        if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 2) return null;
        var first = entry[0];
        var second = entry[1];
        if (first.ValueKind != JsonValueKind.String || second.ValueKind != JsonValueKind.String) return null;
        return (first.GetString()!, second.GetString()!);
    }

    /// <summary>The ids of one pre-tokenized word (already in the model's alphabet).</summary>
    public int[] Tokenize(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty) return [];
        if (_ignoreMerges && _vocabBySpan.TryGetValue(word, out var whole)) return [whole];
        return MergeWord(word);
    }

    /// <summary>Initial symbols (one per character, or its byte tokens, or unknown), then <see cref="BpeMerger"/>.</summary>
    private int[] MergeWord(ReadOnlySpan<char> word)
    {
        var symbols = new List<int>(word.Length);
        var pendingUnk = false;
        Span<char> scratch = stackalloc char[2 + (_continuingSubwordPrefix?.Length ?? 0) + (_endOfWordSuffix?.Length ?? 0)];
        var plain = _continuingSubwordPrefix is null && _endOfWordSuffix is null;
        for (var i = 0; i < word.Length;)
        {
            if (plain && !char.IsSurrogate(word[i]) && _bmpCharIds[word[i]] is var direct and >= 0)
            {
                if (pendingUnk) symbols.Add(_unkId);
                pendingUnk = false;
                symbols.Add(direct);
                i++;
                continue;
            }
            var width = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var unit = word.Slice(i, width);
            var isFirst = i == 0;
            i += width;
            var isLast = i == word.Length;

            var length = 0;
            if (!isFirst && _continuingSubwordPrefix is not null)
            {
                _continuingSubwordPrefix.CopyTo(scratch);
                length = _continuingSubwordPrefix.Length;
            }
            unit.CopyTo(scratch[length..]);
            length += unit.Length;
            if (isLast && _endOfWordSuffix is not null)
            {
                _endOfWordSuffix.CopyTo(scratch[length..]);
                length += _endOfWordSuffix.Length;
            }
            var symbol = scratch[..length];

            if (_vocabBySpan.TryGetValue(symbol, out var id))
            {
                if (pendingUnk) symbols.Add(_unkId);
                pendingUnk = false;
                symbols.Add(id);
                continue;
            }
            // A pending unknown is deliberately not flushed before byte tokens: the Rust code adds it after them.
            if (_byteFallback && TryAddBytes(symbol, symbols)) continue;
            if (_unkId < 0)
            {
                throw new InvalidOperationException(
                    $"'{symbol.ToString()}' is not in the vocabulary, and the model has neither unk_token nor byte_fallback");
            }
            if (pendingUnk && !_fuseUnk) symbols.Add(_unkId);
            pendingUnk = true;
        }
        if (pendingUnk) symbols.Add(_unkId);
        return BpeMerger.MergeAll(symbols, _merges);
    }

    private bool TryAddBytes(ReadOnlySpan<char> symbol, List<int> symbols)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(symbol.Length)];
        var count = Encoding.UTF8.GetBytes(symbol, bytes);
        for (var b = 0; b < count; b++)
        {
            if (_byteTokens[bytes[b]] < 0) return false;
        }
        for (var b = 0; b < count; b++) symbols.Add(_byteTokens[bytes[b]]);
        return true;
    }

}
