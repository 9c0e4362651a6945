using System.Text;

namespace Retain.Kernel.Tokenization;

/// <summary>A <c>tokenizer.json</c> decoder: turns token strings back into text (<c>decode_chain</c> semantics: each
/// step maps the list of strings to a new list; the results are concatenated at the end).</summary>
internal abstract class Decoder
{
    public static readonly string[] SupportedTypes = ["ByteFallback", "ByteLevel", "Fuse", "Metaspace", "Replace", "Sequence", "Strip"];

    public abstract List<string> DecodeChain(List<string> tokens);

    public string Decode(List<string> tokens) => string.Concat(DecodeChain(tokens));

    /// <summary>Builds the decoder a <c>decoder</c> entry describes; null for JSON null.</summary>
    public static Decoder? FromJson(JsonNode? node)
    {
        if (node is not { } n) return null;
        var type = n.Required("type");
        return type.AsString() switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Replace" => new ReplaceDecoder(TextPattern.FromJson(n.Required("pattern")), n.String("content")),
            "Strip" => StripDecoder.FromJson(n),
            "Metaspace" => MetaspaceDecoder.FromJson(n),
            "Sequence" => new SequenceDecoder(n.Required("decoders").Items().Select(i => FromJson(i)!).ToArray()),
            var other => throw type.Unsupported(other, SupportedTypes),
        };
    }
}

/// <summary>Maps byte-alphabet characters back to bytes and decodes them as UTF-8 (invalid sequences become U+FFFD).
/// A token holding a character outside the alphabet contributes its own UTF-8 bytes instead.</summary>
internal sealed class ByteLevelDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (var token in tokens)
        {
            var mapped = true;
            foreach (var c in token)
            {
                if (ByteLevelAlphabet.ByteOf(c) < 0)
                {
                    mapped = false;
                    break;
                }
            }
            if (mapped) foreach (var c in token) bytes.Add((byte)ByteLevelAlphabet.ByteOf(c));
            else bytes.AddRange(Encoding.UTF8.GetBytes(token));
        }
        return [Utf8.DecodeLossy(bytes)];
    }
}

/// <summary>Turns runs of <c>&lt;0xXX&gt;</c> tokens into text: valid UTF-8 as a string, otherwise one U+FFFD per byte.</summary>
internal sealed class ByteFallbackDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var pending = new List<byte>();
        foreach (var token in tokens)
        {
            if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>' &&
                byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
            {
                pending.Add(b);
                continue;
            }
            Flush(pending, output);
            output.Add(token);
        }
        Flush(pending, output);
        return output;
    }

    private static void Flush(List<byte> pending, List<string> output)
    {
        if (pending.Count == 0) return;
        if (Utf8.TryDecodeStrict(pending, out var text)) output.Add(text);
        else for (var i = 0; i < pending.Count; i++) output.Add("\uFFFD");
        pending.Clear();
    }
}

internal sealed class FuseDecoder : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
}

internal sealed class ReplaceDecoder(TextPattern pattern, string content) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(t => pattern.ReplaceAll(t, content)).ToList();
}

/// <summary>Removes up to <c>start</c> leading and <c>stop</c> trailing occurrences of a character from each token.</summary>
internal sealed class StripDecoder(char content, int start, int stop) : Decoder
{
    public static StripDecoder FromJson(JsonNode node)
    {
        var contentNode = node.Required("content");
        var content = contentNode.AsString();
        if (content.Length != 1) throw contentNode.Error("must be a single character");
        return new StripDecoder(content[0], node.Int("start", 0), node.Int("stop", 0));
    }

    public override List<string> DecodeChain(List<string> tokens) => tokens.Select(token =>
    {
        var begin = 0;
        while (begin < start && begin < token.Length && token[begin] == content) begin++;
        var end = token.Length;
        for (var i = 0; i < stop && end > begin && token[end - 1] == content; i++) end--;
        return token[begin..end];
    }).ToList();
}

/// <summary>Turns the replacement character back into spaces; in the first token, when a prefix was prepended, it is
/// dropped instead (as <c>decoders/metaspace.rs</c> does).</summary>
internal sealed class MetaspaceDecoder(char replacement, bool dropInFirstToken) : Decoder
{
    public static MetaspaceDecoder FromJson(JsonNode node)
    {
        var (replacement, prepend) = MetaspacePreTokenizer.ReadCommon(node);
        return new MetaspaceDecoder(replacement, prepend != MetaspacePreTokenizer.Prepend.Never);
    }

    public override List<string> DecodeChain(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        for (var i = 0; i < tokens.Count; i++)
        {
            var sb = new StringBuilder(tokens[i].Length);
            foreach (var c in tokens[i])
            {
                if (c != replacement) sb.Append(c);
                else if (!(i == 0 && dropInFirstToken)) sb.Append(' ');
            }
            output.Add(sb.ToString());
        }
        return output;
    }
}

internal sealed class SequenceDecoder(Decoder[] steps) : Decoder
{
    public override List<string> DecodeChain(List<string> tokens)
    {
        foreach (var step in steps) tokens = step.DecodeChain(tokens);
        return tokens;
    }
}

/// <summary>UTF-8 decoding with Rust's semantics.</summary>
internal static class Utf8
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary><c>String::from_utf8_lossy</c>: each maximal invalid subsequence becomes one U+FFFD, which is also
    /// what .NET's replacement decoder does.</summary>
    public static string DecodeLossy(List<byte> bytes) => Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));

    public static bool TryDecodeStrict(List<byte> bytes, out string text)
    {
        try
        {
            text = Strict.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }
}
