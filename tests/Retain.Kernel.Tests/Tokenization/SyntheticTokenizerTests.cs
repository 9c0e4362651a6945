using System.Text.Json;
using Retain.Kernel.Tokenization;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>
/// Components the shared tokenizers do not use (added-token stripping and word boundaries, normalized added tokens,
/// Metaspace, ignore_merges, unknown fusing, subword prefixes), on tiny hand-written tokenizer.json files; expected
/// ids follow from the semantics of the Rust library worked through by hand.
/// </summary>
public sealed class SyntheticTokenizerTests
{
    private static Tokenizer Build(object model, object? normalizer = null, object? preTokenizer = null, object? decoder = null,
        object[]? addedTokens = null)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["added_tokens"] = addedTokens ?? [],
            ["normalizer"] = normalizer,
            ["pre_tokenizer"] = preTokenizer,
            ["post_processor"] = null,
            ["decoder"] = decoder,
            ["model"] = model,
        });
        using var dir = new TempModelDirectory(); // the tokenizer is read completely by Load
        return Tokenizer.Load(dir.Write("tokenizer.json", json));
    }

    private static Dictionary<string, object?> Bpe(Dictionary<string, int> vocab, object[] merges, string? unk = null,
        bool fuseUnk = false, bool ignoreMerges = false, string? prefix = null) => new()
    {
        ["type"] = "BPE", ["dropout"] = null, ["unk_token"] = unk, ["continuing_subword_prefix"] = prefix,
        ["end_of_word_suffix"] = null, ["fuse_unk"] = fuseUnk, ["byte_fallback"] = false, ["ignore_merges"] = ignoreMerges,
        ["vocab"] = vocab, ["merges"] = merges,
    };

    private static object Added(int id, string content, bool lstrip = false, bool rstrip = false, bool singleWord = false,
        bool normalized = false, bool special = true) => new Dictionary<string, object>
    {
        ["id"] = id, ["content"] = content, ["single_word"] = singleWord, ["lstrip"] = lstrip, ["rstrip"] = rstrip,
        ["normalized"] = normalized, ["special"] = special,
    };

    private static readonly Dictionary<string, int> Letters = new()
    {
        ["<unk>"] = 0, ["a"] = 1, ["b"] = 2, ["c"] = 3, ["ab"] = 4, ["abc"] = 5, [" "] = 6, ["bc"] = 7, ["x"] = 8,
    };

    [Fact]
    public void String_merges_apply_by_rank()
    {
        // "a b" (rank 0) then "ab c" (rank 1): abc -> ab c -> abc.
        var t = Build(Bpe(Letters, ["a b", "ab c"]));
        t.Encode("abc").ShouldBe([5]);
        t.Encode("cab").ShouldBe([3, 4]);
    }

    [Fact]
    public void Lower_rank_wins_over_position()
    {
        // "b c" has rank 0, "a b" rank 1: in "abc" b+c merges first, and no merge joins a with bc.
        Build(Bpe(Letters, ["b c", "a b"])).Encode("abc").ShouldBe([1, 7]);
    }

    [Fact]
    public void Ignore_merges_takes_whole_vocabulary_words()
    {
        Build(Bpe(Letters, [], ignoreMerges: true)).Encode("bc").ShouldBe([7]);
        Build(Bpe(Letters, [], ignoreMerges: false)).Encode("bc").ShouldBe([2, 3]);
    }

    [Fact]
    public void Unknown_characters_fuse_when_asked()
    {
        Build(Bpe(Letters, [], unk: "<unk>", fuseUnk: true)).Encode("a??b").ShouldBe([1, 0, 2]);
        Build(Bpe(Letters, [], unk: "<unk>", fuseUnk: false)).Encode("a??b").ShouldBe([1, 0, 0, 2]);
    }

    [Fact]
    public void Continuing_subword_prefix_is_added_inside_words_and_stripped_by_merges()
    {
        var vocab = new Dictionary<string, int> { ["a"] = 0, ["##b"] = 1, ["ab"] = 2, ["b"] = 3 };
        var t = Build(Bpe(vocab, [new[] { "a", "##b" }], prefix: "##"));
        t.Encode("ab").ShouldBe([2]);
        t.Encode("b").ShouldBe([3]);
    }

    [Fact]
    public void Lstrip_and_rstrip_absorb_surrounding_spaces()
    {
        var stripping = Build(Bpe(Letters, []), addedTokens: [Added(9, "[X]", lstrip: true, rstrip: true)]);
        stripping.Encode("a  [X] b").ShouldBe([1, 9, 2]);
        var plain = Build(Bpe(Letters, []), addedTokens: [Added(9, "[X]")]);
        plain.Encode("a  [X] b").ShouldBe([1, 6, 6, 9, 6, 2]);
    }

    [Fact]
    public void Single_word_tokens_need_word_boundaries()
    {
        var t = Build(Bpe(Letters, []), addedTokens: [Added(9, "ab", singleWord: true)]);
        // " ab " is a word; in "abc" the token is followed by a word character, so "abc" goes to the model.
        t.Encode("ab abc").ShouldBe([9, 6, 1, 2, 3]);
    }

    [Fact]
    public void Normalized_added_tokens_match_after_normalization()
    {
        var replaceXbyA = new Dictionary<string, object> { ["type"] = "Replace", ["pattern"] = new Dictionary<string, string> { ["String"] = "x" }, ["content"] = "a" };
        Build(Bpe(Letters, []), normalizer: replaceXbyA, addedTokens: [Added(9, "aa", normalized: true)]).Encode("xxb").ShouldBe([9, 2]);
        Build(Bpe(Letters, []), normalizer: replaceXbyA, addedTokens: [Added(9, "aa", normalized: false)]).Encode("xxb").ShouldBe([1, 1, 2]);
    }

    [Fact]
    public void Metaspace_prepends_on_the_first_piece_only_and_splits_before_each_marker()
    {
        var vocab = new Dictionary<string, int> { ["▁"] = 0, ["a"] = 1, ["b"] = 2, ["▁a"] = 3, ["▁b"] = 4 };
        var metaspace = new Dictionary<string, object> { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = true };
        var decoder = new Dictionary<string, object> { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = true };
        var t = Build(Bpe(vocab, [new[] { "▁", "a" }, new[] { "▁", "b" }]), preTokenizer: metaspace, decoder: decoder,
            addedTokens: [Added(5, "[X]")]);
        t.Encode("a b").ShouldBe([3, 4]);
        // After an added token the text is not at offset 0: no prefix.
        t.Encode("[X]a b").ShouldBe([5, 1, 4]);
        t.Decode([3, 4]).ShouldBe("a b");
    }
}
