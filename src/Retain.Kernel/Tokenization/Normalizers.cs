using System.Text;
using Retain.Kernel.Tokenization.Unicode;

namespace Retain.Kernel.Tokenization;

/// <summary>A <c>tokenizer.json</c> normalizer: rewrites one piece of text (a stretch between added tokens).</summary>
internal abstract class Normalizer
{
    public static readonly string[] SupportedTypes = ["NFC", "NFD", "Prepend", "Replace", "Sequence"];

    public abstract string Normalize(string text);

    /// <summary>Builds the normalizer a <c>normalizer</c> entry describes; null for JSON null.</summary>
    public static Normalizer? FromJson(JsonNode? node)
    {
        if (node is not { } n) return null;
        var type = n.Required("type");
        return type.AsString() switch
        {
            "NFC" => new NfcNormalizer(),
            "NFD" => new NfdNormalizer(),
            "Prepend" => new PrependNormalizer(n.String("prepend")),
            "Replace" => new ReplaceNormalizer(TextPattern.FromJson(n.Required("pattern")), n.String("content")),
            "Sequence" => new SequenceNormalizer(n.Required("normalizers").Items().Select(i => FromJson(i)!).ToArray()),
            var other => throw type.Unsupported(other, SupportedTypes),
        };
    }
}

internal sealed class NfcNormalizer : Normalizer
{
    public override string Normalize(string text) => CanonicalNormalization.ToNfc(text);
}

internal sealed class NfdNormalizer : Normalizer
{
    public override string Normalize(string text) => CanonicalNormalization.ToNfd(text);
}

/// <summary>Puts a fixed string in front of every non-empty piece (SentencePiece's dummy prefix, Llama 2 style).</summary>
internal sealed class PrependNormalizer(string prefix) : Normalizer
{
    public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
}

/// <summary>Replaces every non-overlapping occurrence of a pattern, left to right.</summary>
internal sealed class ReplaceNormalizer(TextPattern pattern, string content) : Normalizer
{
    public override string Normalize(string text) => pattern.ReplaceAll(text, content);
}

internal sealed class SequenceNormalizer(Normalizer[] steps) : Normalizer
{
    public override string Normalize(string text)
    {
        foreach (var step in steps) text = step.Normalize(text);
        return text;
    }
}

/// <summary>The <c>pattern</c> object of Split / Replace components: <c>{"String": s}</c> or <c>{"Regex": r}</c>.</summary>
internal sealed class TextPattern
{
    private readonly string? _literal;
    private readonly IScalarMatcher? _regex;

    private TextPattern(string? literal, IScalarMatcher? regex)
    {
        _literal = literal;
        _regex = regex;
    }

    public static TextPattern Literal(string text) => new(text, null);

    public static TextPattern FromJson(JsonNode node)
    {
        if (node.Optional("String") is { } s) return new TextPattern(s.AsString(), null);
        if (node.Optional("Regex") is { } r)
        {
            var pattern = r.AsString();
            // Qwen's pattern, the one most encoding goes through, has an equivalent hand-written matcher.
            if (pattern == QwenSplitMatcher.Pattern) return new TextPattern(null, new QwenSplitMatcher());
            try
            {
                return new TextPattern(null, new ScalarRegex(pattern));
            }
            catch (ArgumentException e)
            {
                throw r.Error($"is a regular expression this kernel cannot evaluate: {e.Message}");
            }
        }
        throw node.Error("must have a \"String\" or a \"Regex\" key");
    }

    /// <summary>Appends the (start, length) of each successive non-overlapping match.</summary>
    public void Matches(ReadOnlySpan<char> text, List<(int Start, int Length)> output)
    {
        if (_regex is not null)
        {
            _regex.Matches(text, output);
            return;
        }
        var literal = _literal!;
        if (literal.Length == 0) return;
        var offset = 0;
        while (offset <= text.Length - literal.Length)
        {
            var found = text[offset..].IndexOf(literal, StringComparison.Ordinal);
            if (found < 0) break;
            output.Add((offset + found, literal.Length));
            offset += found + literal.Length;
        }
    }

    public string ReplaceAll(string text, string content)
    {
        if (_literal is not null) return _literal.Length == 0 ? text : text.Replace(_literal, content, StringComparison.Ordinal);
        var matches = new List<(int Start, int Length)>();
        Matches(text, matches);
        if (matches.Count == 0) return text;
        var sb = new StringBuilder(text.Length + matches.Count * content.Length);
        var last = 0;
        foreach (var (start, length) in matches)
        {
            sb.Append(text, last, start - last).Append(content);
            last = start + length;
        }
        return sb.Append(text, last, text.Length - last).ToString();
    }
}
