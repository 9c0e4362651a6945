using System.Globalization;
using System.Text;
using Retain.Kernel.Tokenization.Unicode;

namespace Retain.Kernel.Tokenization;

/// <summary>A <c>tokenizer.json</c> pre-tokenizer: splits pieces into smaller pieces (the words BPE works on).</summary>
internal abstract class PreTokenizer
{
    public static readonly string[] SupportedTypes = ["ByteLevel", "Digits", "Metaspace", "Sequence", "Split"];

    /// <summary>The GPT-2 pattern ByteLevel applies when <c>use_regex</c> is true (<c>byte_level.rs</c>).</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    /// <summary>Replaces the contents of <paramref name="pieces"/> with its pre-tokenization.</summary>
    public abstract void Apply(List<Piece> pieces);

    /// <summary>
    /// Pre-tokenizes one piece, handing each resulting piece to <paramref name="emit"/> in order: what encoding uses, so
    /// the words of a long text flow to the model without a list of them all. Steps that split in one pass override it.
    /// </summary>
    public virtual void Apply(Piece piece, Action<Piece> emit)
    {
        var pieces = new List<Piece> { piece };
        Apply(pieces);
        foreach (var p in pieces) emit(p);
    }

    /// <summary>Whether this step maps text to the byte-level alphabet (done lazily, right before the model).</summary>
    public virtual bool MapsToByteLevel => false;

    /// <summary>Builds the pre-tokenizer a <c>pre_tokenizer</c> entry describes; null for JSON null.</summary>
    public static PreTokenizer? FromJson(JsonNode? node)
    {
        if (node is not { } n) return null;
        var type = n.Required("type");
        return type.AsString() switch
        {
            "Split" => new SplitPreTokenizer(TextPattern.FromJson(n.Required("pattern")),
                PieceSplitter.ParseBehavior(n.Required("behavior")), n.Bool("invert", false)),
            "ByteLevel" => new ByteLevelPreTokenizer(n.Bool("add_prefix_space", true), n.Bool("use_regex", true)),
            "Digits" => new DigitsPreTokenizer(n.Bool("individual_digits", false)),
            "Metaspace" => MetaspacePreTokenizer.FromJson(n),
            "Sequence" => SequencePreTokenizer.FromJson(n),
            var other => throw type.Unsupported(other, SupportedTypes),
        };
    }

    /// <summary>Applies a per-piece split to every piece.</summary>
    protected static void SplitEach(List<Piece> pieces, Action<Piece, List<Piece>> split)
    {
        var input = pieces.ToArray();
        pieces.Clear();
        foreach (var piece in input) split(piece, pieces);
    }
}

/// <summary>Splits on a literal or a regular expression (Qwen2 / Llama 3 patterns, Gemma's space split).</summary>
internal sealed class SplitPreTokenizer(TextPattern pattern, SplitBehavior behavior, bool invert) : PreTokenizer
{
    public override void Apply(List<Piece> pieces)
    {
        var matches = new List<(int Start, int Length)>();
        SplitEach(pieces, (piece, output) =>
        {
            matches.Clear();
            pattern.Matches(piece.Span, matches);
            PieceSplitter.Split(piece, matches, behavior, invert, output);
        });
    }

    public override void Apply(Piece piece, Action<Piece> emit)
    {
        if (behavior != SplitBehavior.Isolated)
        {
            base.Apply(piece, emit);
            return;
        }
        var matches = new List<(int Start, int Length)>();
        pattern.Matches(piece.Span, matches);
        PieceSplitter.SplitIsolated(piece, matches, emit);
    }
}

/// <summary>
/// Byte-level pre-tokenization: optionally a space in front of each piece, optionally the GPT-2 split; the mapping
/// to the byte alphabet itself happens right before the model, so it must be the last pre-tokenizer.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    private static readonly Lazy<ScalarRegex> Gpt2Regex = new(() => new ScalarRegex(Gpt2Pattern));

    public override bool MapsToByteLevel => true;

    public override void Apply(List<Piece> pieces)
    {
        if (!addPrefixSpace && !useRegex) return;
        SplitEach(pieces, (piece, output) => Apply(piece, output.Add));
    }

    public override void Apply(Piece piece, Action<Piece> emit)
    {
        if (addPrefixSpace && piece.Span is not [' ', ..]) piece = piece with { Text = (" " + piece.Span.ToString()).AsMemory() };
        if (!useRegex)
        {
            emit(piece);
            return;
        }
        var matches = new List<(int Start, int Length)>();
        Gpt2Regex.Value.Matches(piece.Span, matches);
        PieceSplitter.SplitIsolated(piece, matches, emit);
    }
}

/// <summary>Splits numeric characters (Rust <c>char::is_numeric</c>: Nd, Nl, No) off, one by one or in runs.</summary>
internal sealed class DigitsPreTokenizer(bool individualDigits) : PreTokenizer
{
    public override void Apply(List<Piece> pieces)
    {
        var matches = new List<(int Start, int Length)>();
        SplitEach(pieces, (piece, output) =>
        {
            matches.Clear();
            var span = piece.Span;
            for (var i = 0; i < span.Length;)
            {
                Rune.DecodeFromUtf16(span[i..], out var rune, out var consumed);
                if (IsNumeric(rune)) matches.Add((i, consumed));
                i += consumed;
            }
            PieceSplitter.Split(piece, matches, individualDigits ? SplitBehavior.Isolated : SplitBehavior.Contiguous,
                invert: false, output);
        });
    }

    private static bool IsNumeric(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.DecimalDigitNumber
        or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber;
}

/// <summary>SentencePiece-style: spaces become the replacement character (<c>▁</c>), which may be prepended, and
/// pieces are split in front of each replacement character.</summary>
internal sealed class MetaspacePreTokenizer(char replacement, MetaspacePreTokenizer.Prepend prepend, bool split) : PreTokenizer
{
    public enum Prepend { Always, First, Never }

    public static MetaspacePreTokenizer FromJson(JsonNode node)
    {
        var (replacement, prepend) = ReadCommon(node);
        return new MetaspacePreTokenizer(replacement, prepend, node.Bool("split", true));
    }

    /// <summary>Reads <c>replacement</c> and <c>prepend_scheme</c> (or the older <c>add_prefix_space</c>).</summary>
    public static (char Replacement, Prepend Prepend) ReadCommon(JsonNode node)
    {
        var replacementNode = node.Required("replacement");
        var text = replacementNode.AsString();
        if (text.Length != 1) throw replacementNode.Error("must be a single character");
        Prepend prepend;
        if (node.Optional("prepend_scheme") is { } scheme)
        {
            prepend = scheme.AsString() switch
            {
                "always" => Prepend.Always,
                "first" => Prepend.First,
                "never" => Prepend.Never,
                var other => throw scheme.Unsupported(other, ["always", "first", "never"]),
            };
        }
        else
        {
            prepend = node.Bool("add_prefix_space", true) ? Prepend.Always : Prepend.Never;
        }
        return (text[0], prepend);
    }

    public override void Apply(List<Piece> pieces)
    {
        var marker = replacement.ToString();
        var matches = new List<(int Start, int Length)>();
        SplitEach(pieces, (piece, output) =>
        {
            var text = piece.Span.ToString().Replace(' ', replacement);
            var addPrefix = prepend == Prepend.Always || (prepend == Prepend.First && piece.IsFirst);
            if (addPrefix && !text.StartsWith(replacement)) text = marker + text;
            var replaced = piece with { Text = text.AsMemory() };
            if (!split)
            {
                output.Add(replaced);
                return;
            }
            matches.Clear();
            for (var i = 0; i < text.Length; i++) if (text[i] == replacement) matches.Add((i, 1));
            PieceSplitter.Split(replaced, matches, SplitBehavior.MergedWithNext, invert: false, output);
        });
    }
}

internal sealed class SequencePreTokenizer(PreTokenizer[] steps) : PreTokenizer
{
    public override bool MapsToByteLevel => steps.Any(s => s.MapsToByteLevel);

    public static SequencePreTokenizer FromJson(JsonNode node)
    {
        var items = node.Required("pretokenizers").Items().ToArray();
        var steps = items.Select(i => PreTokenizer.FromJson(i)!).ToArray();
        for (var i = 0; i < steps.Length - 1; i++)
        {
            if (steps[i].MapsToByteLevel)
                throw items[i].Error("is a ByteLevel pre-tokenizer followed by other pre-tokenizers; only a final ByteLevel is supported");
        }
        return new SequencePreTokenizer(steps);
    }

    public override void Apply(List<Piece> pieces)
    {
        foreach (var step in steps) step.Apply(pieces);
    }

    public override void Apply(Piece piece, Action<Piece> emit)
    {
        // The chain of steps is built once per call: step i hands its pieces to step i + 1, the last to emit.
        var chain = emit;
        for (var i = steps.Length - 1; i >= 1; i--)
        {
            var step = steps[i];
            var next = chain;
            chain = p => step.Apply(p, next);
        }
        if (steps.Length == 0) emit(piece);
        else steps[0].Apply(piece, chain);
    }
}
