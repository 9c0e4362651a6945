using System.Text.Json;
using Retain.Kernel.Tokenization.Unicode;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>
/// The kernel's own NFC / NFD (string.Normalize does nothing under invariant globalization) against Python's
/// unicodedata on random mixes of bases, Hangul and combining marks (<c>tests/reference/normalization_reference.py</c>).
/// </summary>
public sealed class NormalizationTests
{
    private static readonly Lazy<List<(string Text, string Nfc, string Nfd)>> Cases = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SharedTokenizers.Fixture("normalization_cases.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, c.GetProperty("nfc").GetString()!, c.GetProperty("nfd").GetString()!))
            .ToList();
    });

    [Fact]
    public void Nfc_matches_python_unicodedata()
    {
        var failures = Cases.Value.Where(c => CanonicalNormalization.ToNfc(c.Text) != c.Nfc).Select(c => Escape(c.Text)).ToList();
        failures.ShouldBeEmpty();
    }

    [Fact]
    public void Nfd_matches_python_unicodedata()
    {
        var failures = Cases.Value.Where(c => CanonicalNormalization.ToNfd(c.Text) != c.Nfd).Select(c => Escape(c.Text)).ToList();
        failures.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("cafe\u0301", "caf\u00e9")] // e + combining acute composes
    [InlineData("\u1100\u1161\u11a8", "\uac01")] // Hangul L V T jamo compose algorithmically
    [InlineData("a\u0302\u0323", "\u1ead")] // marks reordered (dot below, class 220, before circumflex, 230), then composed
    [InlineData("\u212b", "\u00c5")] // ANGSTROM SIGN is a singleton: NFC gives A-ring
    [InlineData("a\u0301\u0301", "\u00e1\u0301")] // the second acute is blocked by the first
    [InlineData("plain ascii", "plain ascii")]
    public void Nfc_hand_checked_cases(string input, string expected) => CanonicalNormalization.ToNfc(input).ShouldBe(expected);

    [Fact]
    public void Nfc_leaves_unpaired_surrogates_alone() =>
        CanonicalNormalization.ToNfc("e\u0301\ud800x").ShouldBe("\u00e9\ud800x");

    private static string Escape(string s) => string.Concat(s.Select(c => c < 128 ? c.ToString() : $"\\u{(int)c:x4}"));
}
