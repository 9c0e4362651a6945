using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>
/// The ids of the whole ~1 MB benchmark text (<c>tests/fixtures/Text/tokenizer-text-1mb.txt</c>: GSM8K, HumanEval code,
/// MedCalc notes, Japanese prose and a synthetic many-script section) equal those of the Hugging Face
/// <c>tokenizers</c> library (its Rust core through the npm binding), for Qwen3, Gemma 3 and SmolLM2. The reference's
/// count and sha256 of the ids (little-endian int32) are committed in <c>Fixtures/Tokenizers/text_1mb_ids.json</c> by
/// <c>tests/reference/hf_tokenizers_ids.js</c>; each section is also checked on its own so a failure names it.
/// </summary>
public sealed class LargeTextEncodingTests
{
    public static TheoryData<string> Tokenizers() => ["qwen3", "gemma3", "smollm2"];

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Ids_of_the_whole_text_equal_the_reference(string name)
    {
        var expected = Reference.Value.Tokenizers[name];
        var tokenizer = SharedTokenizers.Get(name);
        Sha256(File.ReadAllBytes(tokenizer.SourcePath)).ShouldBe(expected.TokenizerJsonSha256,
            $"{tokenizer.SourcePath} is not the file the reference ids were computed with");

        var ids = tokenizer.Encode(Text.Value);
        Digest(ids).ShouldBe(expected.Whole, $"{name}: ids of the whole text");
        Digest(tokenizer.Encode(Text.Value)).ShouldBe(expected.Whole, $"{name}: ids of the whole text, encoded again (word cache warm)");
    }

    [Theory]
    [MemberData(nameof(Tokenizers))]
    public void Ids_of_each_section_equal_the_reference(string name)
    {
        var expected = Reference.Value.Tokenizers[name].Sections;
        var sections = Sections(Text.Value);
        sections.Keys.ShouldBe(expected.Keys, ignoreOrder: true);
        foreach (var (section, text) in sections)
            Digest(SharedTokenizers.Get(name).Encode(text)).ShouldBe(expected[section], $"{name}: section {section}");
    }

    private sealed record IdsDigest(int Count, string Sha256);

    private sealed record TokenizerReference(string TokenizerJsonSha256, IdsDigest Whole, Dictionary<string, IdsDigest> Sections);

    private sealed record ReferenceFile(string TextSha256, Dictionary<string, TokenizerReference> Tokenizers);

    private static readonly Lazy<ReferenceFile> Reference = new(LoadReference);

    private static readonly Lazy<string> Text = new(() =>
    {
        var bytes = File.ReadAllBytes(TestPaths.RepoFile("tests", "fixtures", "Text", "tokenizer-text-1mb.txt"));
        Sha256(bytes).ShouldBe(Reference.Value.TextSha256, "tokenizer-text-1mb.txt is not the text the reference ids were computed for");
        return System.Text.Encoding.UTF8.GetString(bytes);
    });

    private static IdsDigest Digest(int[] ids) => new(ids.Length, Sha256(MemoryMarshal.AsBytes(ids.AsSpan())));

    private static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The parts after each line <c>=== section: NAME ===</c>, header included (as the generator splits).</summary>
    private static Dictionary<string, string> Sections(string text)
    {
        var headers = Regex.Matches(text, @"^=== section: (\w+) ===\n", RegexOptions.Multiline);
        return headers.Select((m, i) => (m.Groups[1].Value,
                text[m.Index..(i + 1 < headers.Count ? headers[i + 1].Index : text.Length)]))
            .ToDictionary(p => p.Item1, p => p.Item2);
    }

    private static ReferenceFile LoadReference()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedTokenizers.Fixture("text_1mb_ids.json")));
        var root = document.RootElement;
        static IdsDigest ReadDigest(JsonElement e) => new(e.GetProperty("count").GetInt32(), e.GetProperty("sha256").GetString()!);
        return new ReferenceFile(
            root.GetProperty("text").GetProperty("sha256").GetString()!,
            root.GetProperty("tokenizers").EnumerateObject().ToDictionary(t => t.Name, t => new TokenizerReference(
                t.Value.GetProperty("tokenizer_json_sha256").GetString()!,
                ReadDigest(t.Value.GetProperty("whole")),
                t.Value.GetProperty("sections").EnumerateObject().ToDictionary(s => s.Name, s => ReadDigest(s.Value)))));
    }
}
