using System.Buffers;
using System.Globalization;
using System.Text;

namespace Retain.Kernel.Tokenization;

/// <summary>One entry of <c>added_tokens</c> in <c>tokenizer.json</c>.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">Its text.</param>
/// <param name="SingleWord">Matches only with no word character on either side.</param>
/// <param name="LStrip">Absorbs the white space before it.</param>
/// <param name="RStrip">Absorbs the white space after it.</param>
/// <param name="Normalized">Matched in normalized text (otherwise in the raw input).</param>
/// <param name="Special">A special token: skipped by <c>Decode(skipSpecialTokens: true)</c>.</param>
public sealed record AddedToken(int Id, string Content, bool SingleWord, bool LStrip, bool RStrip, bool Normalized, bool Special);

/// <summary>
/// Finds added tokens in text before the model sees it, as <c>added_vocabulary.rs</c> does: leftmost-longest matching
/// (the Aho-Corasick <c>LeftmostLongest</c> semantics), non-normalized tokens on the raw input, normalized ones on the
/// normalized pieces in between.
/// </summary>
internal sealed class AddedVocabulary
{
    private readonly Dictionary<int, AddedToken> _byId = new();
    private readonly Dictionary<string, AddedToken> _byContent = new(StringComparer.Ordinal);
    private readonly Trie _raw = new();
    private readonly Trie _normalized = new();

    public AddedVocabulary(IEnumerable<AddedToken> tokens, Func<string, string> normalize)
    {
        foreach (var token in tokens)
        {
            _byId[token.Id] = token;
            _byContent[token.Content] = token;
            if (token.Content.Length == 0) continue;
            if (token.Normalized) _normalized.Add(normalize(token.Content), token);
            else _raw.Add(token.Content, token);
        }
    }

    public IEnumerable<AddedToken> Tokens => _byId.Values;

    public bool HasNormalizedTokens => _normalized.Count > 0;

    public AddedToken? ById(int id) => _byId.GetValueOrDefault(id);

    public AddedToken? ByContent(string content) => _byContent.GetValueOrDefault(content);

    /// <summary>Splits <paramref name="text"/> into added tokens and the text between them (raw-input matching).</summary>
    public void SplitRaw(string text, int offset, List<Segment> output) => Split(_raw, text, offset, output);

    /// <summary>Splits normalized text at normalized added tokens.</summary>
    public void SplitNormalized(string text, int offset, List<Segment> output) => Split(_normalized, text, offset, output);

    /// <summary>A stretch of text (<see cref="Token"/> null) or a matched added token. <see cref="Offset"/> is where the
    /// stretch begins in the original input (0 only for the first).</summary>
    internal readonly record struct Segment(string Text, int Start, int Length, AddedToken? Token, int Offset);

    private static void Split(Trie trie, string text, int offset, List<Segment> output)
    {
        if (trie.Count == 0)
        {
            if (text.Length > 0) output.Add(new Segment(text, 0, text.Length, null, offset));
            return;
        }
        var start = 0; // end of the previous match (after stripping): where pending text begins
        var position = 0;
        while (position < text.Length)
        {
            var next = text.AsSpan(position).IndexOfAny(trie.FirstChars);
            if (next < 0) break;
            position += next;
            var (token, length) = trie.LongestAt(text, position);
            if (token is null)
            {
                position++;
                continue;
            }
            var matchStart = position;
            var matchEnd = position + length;
            if (token.SingleWord && (EndsWithWordChar(text.AsSpan(0, matchStart)) || StartsWithWordChar(text.AsSpan(matchEnd))))
            {
                // Not a match after all; the search resumes after it, as the Aho-Corasick iterator does.
                position = matchEnd;
                continue;
            }
            if (token.LStrip)
            {
                var trimmed = text.AsSpan(0, matchStart).TrimEnd().Length;
                matchStart = Math.Max(trimmed, start);
            }
            if (token.RStrip)
            {
                matchEnd += text.Length - matchEnd - text.AsSpan(matchEnd).TrimStart().Length;
            }
            if (matchStart > start) output.Add(new Segment(text, start, matchStart - start, null, offset + start));
            output.Add(new Segment(text, matchStart, matchEnd - matchStart, token, offset + matchStart));
            start = matchEnd;
            position = matchEnd;
        }
        if (start < text.Length) output.Add(new Segment(text, start, text.Length - start, null, offset + start));
    }

    // Rust regex \w: alphabetic, marks, decimal digits, connector punctuation (join controls aside).
    private static bool IsWordChar(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter
        or UnicodeCategory.OtherLetter or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
        or UnicodeCategory.EnclosingMark or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
        or UnicodeCategory.ConnectorPunctuation;

    private static bool EndsWithWordChar(ReadOnlySpan<char> s) =>
        s.Length > 0 && Rune.DecodeLastFromUtf16(s, out var r, out _) == OperationStatus.Done && IsWordChar(r);

    private static bool StartsWithWordChar(ReadOnlySpan<char> s) =>
        s.Length > 0 && Rune.DecodeFromUtf16(s, out var r, out _) == OperationStatus.Done && IsWordChar(r);

    /// <summary>A character trie over token contents; <see cref="LongestAt"/> gives the longest token starting at a position.</summary>
    private sealed class Trie
    {
        private readonly Node _root = new();
        private SearchValues<char>? _firstChars;

        public int Count { get; private set; }

        /// <summary>The characters a token can start with.</summary>
        public SearchValues<char> FirstChars =>
            _firstChars ??= SearchValues.Create(_root.Children is null ? [] : _root.Children.Keys.ToArray());

        public void Add(string content, AddedToken token)
        {
            var node = _root;
            foreach (var c in content)
            {
                node.Children ??= new Dictionary<char, Node>();
                if (!node.Children.TryGetValue(c, out var next)) node.Children[c] = next = new Node();
                node = next;
            }
            // Two entries with the same text: the later one wins, as in the Rust map.
            node.Token = token;
            Count++;
        }

        public (AddedToken? Token, int Length) LongestAt(string text, int position)
        {
            var node = _root;
            AddedToken? best = null;
            var bestLength = 0;
            for (var i = position; i < text.Length; i++)
            {
                if (node.Children is null || !node.Children.TryGetValue(text[i], out node)) break;
                if (node.Token is not null)
                {
                    best = node.Token;
                    bestLength = i - position + 1;
                }
            }
            return (best, bestLength);
        }

        private sealed class Node
        {
            public Dictionary<char, Node>? Children;
            public AddedToken? Token;
        }
    }
}
