namespace Retain.Kernel.Tests.Tokenization;

/// <summary>Short cases whose ids were worked out by hand from the vocabularies (ids looked up in tokenizer.json).</summary>
public sealed class HandDerivedEncodingTests
{
    [Fact]
    public void Qwen_splits_digits_one_by_one() =>
        // \p{N} isolates each digit; vocab: "2" = 17, "0" = 15, "4" = 19.
        SharedTokenizers.Qwen3.Encode("2024").ShouldBe([17, 15, 17, 19]);

    [Fact]
    public void Qwen_contraction_is_its_own_word() =>
        // Pieces "It" and "'s"; vocab: "It" = 2132 (merge I+t), "'s" = 594.
        SharedTokenizers.Qwen3.Encode("It's").ShouldBe([2132, 594]);

    [Fact]
    public void Qwen_space_run_leaves_its_last_space_to_the_word() =>
        // \s+(?!\S) takes "  " (the run minus one space) = "ĠĠ" 256; then " two" = "Ġtwo"; vocab "Ġtwo" = 1378.
        SharedTokenizers.Qwen3.Encode("   two").ShouldBe([256, 1378]);

    [Fact]
    public void Gemma_newline_runs_are_added_tokens_matched_leftmost_longest() =>
        // added_tokens hold runs of 1..31 newlines, ids 107..137 (normalized: false, matched on the raw text):
        // 32 newlines are the 31-run then a single one.
        SharedTokenizers.Gemma3.Encode(new string('\n', 32)).ShouldBe([137, 107]);

    [Fact]
    public void Gemma_byte_fallback_for_a_character_outside_the_vocabulary() =>
        // U+20000 is not in the vocabulary: UTF-8 F0 A0 80 80 -> <0xF0> 478, <0xA0> 398, <0x80> 366, <0x80> 366.
        SharedTokenizers.Gemma3.Encode("\U00020000").ShouldBe([478, 398, 366, 366]);

    [Fact]
    public void Stories260K_prefix_and_byte_fallback() =>
        // "▁a" = 261; 'é' is in the vocab but '☃' (E2 98 83) is not: <0xE2> = 229, <0x98> = 155, <0x83> = 134.
        SharedTokenizers.Stories260K.Encode("a\u2603").ShouldBe([261, 229, 155, 134]);
}
