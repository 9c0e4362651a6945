using Retain.Kernel.Tokenization.Unicode;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>
/// The hand-written matcher for Qwen's split pattern gives the same matches as the general regex path
/// (<see cref="ScalarRegex"/>, which the reference-encoding tests check against Hugging Face) on the 1 MB benchmark
/// text and on random strings over characters chosen to hit every alternative and class boundary.
/// </summary>
public sealed class QwenSplitMatcherTests
{
    private static readonly ScalarRegex General = new(QwenSplitMatcher.Pattern);
    private static readonly QwenSplitMatcher Matcher = new();

    [Fact]
    public void Same_matches_as_the_regex_on_the_benchmark_text()
    {
        var text = File.ReadAllText(TestPaths.RepoFile("tests", "fixtures", "Text", "tokenizer-text-1mb.txt"));
        Matches(Matcher, text).ShouldBe(Matches(General, text));
    }

    [Fact]
    public void Same_matches_as_the_regex_on_random_strings()
    {
        string[] pool =
        [
            "'", "s", "S", "t", "re", "RE", "rE", "ve", "m", "ll", "lL", "d", "D", "x", "ſ", "K", "é", "e\u0301", "\u0301",
            "中", "ひ", "ا", "\u0903", "\u093c", "5", "٣", "Ⅻ", "²", "𝐀", "𝟙", "😀", "\U00020000", "\u200d", "\ufe0f",
            " ", "  ", "\t", "\n", "\r", "\r\n", "\v", "\f", "\u0085", "\u00a0", "\u2028", "\u2029", "\u3000", "\u2003",
            ".", ",", "!", "-", "_", "@", "#", "(", ")", "\"", "€", "©", "«", "\u00ad", "\ud800", "\udc00",
        ];
        var random = new Random(22);
        var mismatches = new List<string>();
        for (var n = 0; n < 3000; n++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 24)).Select(_ => pool[random.Next(pool.Length)]));
            if (!Matches(Matcher, text).SequenceEqual(Matches(General, text)))
                mismatches.Add(string.Concat(text.Select(c => c < 128 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:x4}")));
        }
        mismatches.ShouldBeEmpty();
    }

    [Fact]
    public void Qwen3_pre_tokenizes_a_hand_checked_line() =>
        SharedTokenizers.Qwen3.PreTokenize("it's  a test\n\n").ShouldBe(["it", "'s", " ", " a", " test", "\n\n"]);

    private static List<(int Start, int Length)> Matches(IScalarMatcher matcher, string text)
    {
        var output = new List<(int Start, int Length)>();
        matcher.Matches(text, output);
        return output;
    }
}
