using System.Text.Json;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>
/// Encodes and decodes the real Qwen3, Gemma 3, SmolLM2 and stories260K tokenizers on cases covering white-space runs,
/// newlines, digits, punctuation, contractions, accents (composed and decomposed), CJK, emoji, supplementary-plane
/// letters, special tokens and byte fallback. Expected ids come from <c>tests/reference/bpe_reference.py</c>, a naive
/// independent Python implementation (its stories260K results are also checked there against llama2.c's encoder over
/// tok512.bin); they are committed in <c>Fixtures/Tokenizers/expected_encodings.json</c>.
/// </summary>
public sealed class ReferenceEncodingTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var (tokenizer, cases) in ReadFixture())
            foreach (var c in cases) data.Add(tokenizer, c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_matches_reference(string tokenizer, string caseName)
    {
        var c = Find(tokenizer, caseName);
        SharedTokenizers.Get(tokenizer).Encode(c.Text).ShouldBe(c.Ids, $"text: {JsonSerializer.Serialize(c.Text)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_with_special_tokens_matches_reference(string tokenizer, string caseName)
    {
        var c = Find(tokenizer, caseName);
        SharedTokenizers.Get(tokenizer).Encode(c.Text, addSpecialTokens: true).ShouldBe(c.IdsWithSpecialTokens);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_matches_reference(string tokenizer, string caseName)
    {
        var c = Find(tokenizer, caseName);
        var t = SharedTokenizers.Get(tokenizer);
        t.Decode(c.Ids).ShouldBe(c.Decoded);
        t.Decode(c.IdsWithSpecialTokens, skipSpecialTokens: true).ShouldBe(c.DecodedWithSpecialTokensSkipped);
    }

    private sealed record Case(string Name, string Text, int[] Ids, int[] IdsWithSpecialTokens, string Decoded,
        string DecodedWithSpecialTokensSkipped);

    private static readonly Lazy<Dictionary<string, List<Case>>> Fixture = new(Load);

    private static Dictionary<string, List<Case>> ReadFixture() => Fixture.Value;

    private static Case Find(string tokenizer, string name) => Fixture.Value[tokenizer].Single(c => c.Name == name);

    private static Dictionary<string, List<Case>> Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedTokenizers.Fixture("expected_encodings.json")));
        var result = new Dictionary<string, List<Case>>();
        foreach (var tokenizer in document.RootElement.EnumerateObject())
        {
            result[tokenizer.Name] = tokenizer.Value.GetProperty("cases").EnumerateArray().Select(c => new Case(
                c.GetProperty("name").GetString()!,
                c.GetProperty("text").GetString()!,
                c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
                c.GetProperty("ids_with_special_tokens").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
                c.GetProperty("decoded").GetString()!,
                c.GetProperty("decoded_with_special_tokens_skipped").GetString()!)).ToList();
        }
        return result;
    }
}

/// <summary>One tokenizer shared by threads gives each the same ids as a single thread (the word cache is shared).</summary>
public sealed class ConcurrentEncodingTests
{
    [Fact]
    public void Parallel_encoding_matches_sequential()
    {
        var texts = Enumerable.Range(0, 400).Select(i => $"Item {i}: the café costs {i * 3} € — 日本 {i % 7} 😀 \U0001D400's\n").ToArray();
        var path = Retain.Testing.TestPaths.SharedFile("models", "tokenizers", "smollm2-135m-instruct");
        var fresh = Retain.Kernel.Tokenization.Tokenizer.Load(path); // cold cache: threads race to fill it
        var parallel = new int[texts.Length][];
        Parallel.For(0, texts.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => parallel[i] = fresh.Encode(texts[i]));
        var other = Retain.Kernel.Tokenization.Tokenizer.Load(path);
        parallel.ShouldBe(texts.Select(t => other.Encode(t)).ToArray());
    }
}
