using System.Text.Json;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

public sealed class DecodeTests
{
    /// <summary>llama2.c's greedy output for stories260K (published expected text; see golden_greedy.json).</summary>
    [Fact]
    public void Stories260K_golden_ids_decode_to_the_golden_text()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        var golden = document.RootElement.GetProperty("cases")[0];
        var ids = golden.GetProperty("all_ids").EnumerateArray().Select(i => i.GetInt32()).ToArray();
        SharedTokenizers.Stories260K.Decode(ids, skipSpecialTokens: true).ShouldBe(golden.GetProperty("text").GetString());
    }

    [Fact]
    public void Byte_level_decode_replaces_an_incomplete_utf8_sequence()
    {
        // 'ð' is the byte-alphabet character of 0xF0, the first byte of a 4-byte sequence.
        var qwen = SharedTokenizers.Qwen3;
        var id = qwen.TokenToId("ð")!.Value;
        qwen.Decode([qwen.TokenToId("a")!.Value, id]).ShouldBe("a\uFFFD");
    }

    [Fact]
    public void Byte_fallback_decode_gives_one_replacement_per_invalid_byte()
    {
        var gemma = SharedTokenizers.Gemma3;
        int Byte(string hex) => gemma.TokenToId($"<0x{hex}>")!.Value;
        gemma.Decode([Byte("F0"), Byte("A0"), Byte("80"), Byte("80")]).ShouldBe("\U00020000");
        gemma.Decode([Byte("F0"), Byte("A0"), gemma.TokenToId("a")!.Value]).ShouldBe("\uFFFD\uFFFDa");
    }

    [Fact]
    public void Unknown_ids_are_skipped() =>
        SharedTokenizers.Qwen3.Decode([SharedTokenizers.Qwen3.TokenToId("a")!.Value, 10_000_000]).ShouldBe("a");

    [Theory]
    [InlineData("qwen3")]
    [InlineData("gemma3")]
    [InlineData("smollm2")]
    public void Round_trip_of_nfc_text(string tokenizer)
    {
        const string text = "Prices: 3.50€ → 4,20 €\n\tcafé 日本 😀 \U0001D400 <|im_start|> ok  ";
        var t = SharedTokenizers.Get(tokenizer);
        t.Decode(t.Encode(text)).ShouldBe(text);
    }
}
