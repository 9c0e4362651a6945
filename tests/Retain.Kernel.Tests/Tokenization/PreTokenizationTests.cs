using Retain.Kernel.Tokenization;
using Retain.Kernel.Tokenization.Unicode;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>Pre-tokenization: expected pieces worked out by hand from the patterns' alternatives (first alternative
/// that matches wins; greedy quantifiers backtrack only as far as a lookahead demands).</summary>
public sealed class PreTokenizationTests
{
    [Theory]
    // \p{N} isolates each digit; " ?[^\s\p{L}\p{N}]+" takes the punctuation with its leading space.
    [InlineData("in 2024!", new[] { "in", " ", "2", "0", "2", "4", "!" })]
    // (?i:'s|...) is case-insensitive: 'S and 'LL are contractions.
    [InlineData("IT'S WE'LL", new[] { "IT", "'S", " WE", "'LL" })]
    // \s+(?!\S) stops one short of a word, which then takes that space; \s*[\r\n]+ takes spaces and newlines.
    [InlineData("a   b \n\n c", new[] { "a", "  ", " b", " \n\n", " c" })]
    // A supplementary-plane letter (U+1D400) is \p{L}: one word with its neighbours; the contraction splits off.
    [InlineData("x\U0001D400y \U0001D400's", new[] { "x\U0001D400y", " \U0001D400", "'s" })]
    // An emoji (So) followed by punctuation is one "other" run; the CJK run is letters.
    [InlineData("\U0001F600! \u4e2d\u6587", new[] { "\U0001F600!", " \u4e2d\u6587" })]
    public void Qwen_pattern_pieces(string text, string[] expected) =>
        SharedTokenizers.Qwen3.PreTokenize(text).ShouldBe(expected);

    [Theory]
    // Digits(individual_digits) runs before the GPT-2 split, so " 5" becomes " " and "5".
    [InlineData("Room 101", new[] { "Room", " ", "1", "0", "1" })]
    // GPT-2's contractions are case-sensitive: 'S is not one, so it goes with the punctuation rule.
    [InlineData("IT'S it's", new[] { "IT", "'", "S", " it", "'s" })]
    [InlineData("x\U0001D400y", new[] { "x\U0001D400y" })]
    public void SmolLM2_digits_then_gpt2_pieces(string text, string[] expected) =>
        SharedTokenizers.SmolLM2.PreTokenize(text).ShouldBe(expected);

    [Fact]
    public void Gemma_text_is_one_word_after_spaces_become_metaspace() =>
        SharedTokenizers.Gemma3.PreTokenize("a b  c").ShouldBe(["a\u2581b\u2581\u2581c"]);

    [Fact]
    public void Stories260K_prepends_the_dummy_prefix() =>
        SharedTokenizers.Stories260K.PreTokenize("Once upon").ShouldBe(["\u2581Once\u2581upon"]);

    // The example of the Rust library's SplitDelimiterBehavior documentation: "the-final--countdown" split on "-".
    [Theory]
    [InlineData("Removed", new[] { "the", "final", "countdown" })]
    [InlineData("Isolated", new[] { "the", "-", "final", "-", "-", "countdown" })]
    [InlineData("MergedWithPrevious", new[] { "the-", "final-", "-", "countdown" })]
    [InlineData("MergedWithNext", new[] { "the", "-final", "-", "-countdown" })]
    [InlineData("Contiguous", new[] { "the", "-", "final", "--", "countdown" })]
    public void Split_behaviors(string behavior, string[] expected)
    {
        const string text = "the-final--countdown";
        var matches = new List<(int, int)>();
        TextPattern.Literal("-").Matches(text, matches);
        var output = new List<Piece>();
        PieceSplitter.Split(new Piece(text.AsMemory(), true), matches, Enum.Parse<SplitBehavior>(behavior), invert: false, output);
        output.Select(p => p.Span.ToString()).ShouldBe(expected);
    }

    [Fact]
    public void Scalar_regex_treats_a_surrogate_pair_as_one_letter()
    {
        var regex = new ScalarRegex(@"\p{L}+");
        var matches = new List<(int Start, int Length)>();
        regex.Matches("ab\U0001D400c 1", matches);
        matches.ShouldBe([(0, 5)]);
    }
}
