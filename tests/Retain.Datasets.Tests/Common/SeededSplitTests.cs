using Retain.Datasets.Splitting;

namespace Retain.Datasets.Tests.Common;

public sealed class SeededSplitTests
{
    private static readonly List<string> Keys = Enumerable.Range(0, 1000).Select(i => $"row-{i}").ToList();

    [Fact]
    public void Hash_is_pinned_so_splits_never_change_across_runtimes()
    {
        // FNV-1a 64 test vectors (Fowler/Noll/Vo reference): "" and "a".
        StableHash.Fnv1a64("").ShouldBe(0xcbf29ce484222325UL);
        StableHash.Fnv1a64("a").ShouldBe(0xaf63dc4c8601ec8cUL);
        // SplitMix64 from state 0: the first output of the reference generator is 0xe220a8397b1dcdaf.
        StableHash.Mix(0).ShouldBe(0xe220a8397b1dcdafUL);
        StableHash.Of(1234, "row-0").ShouldBe(StableHash.Mix(StableHash.Fnv1a64("row-0") ^ StableHash.Mix(1234)));
        // Negative seeds are sign-extended; value computed by an independent Python implementation.
        StableHash.Of(-1, "row-0").ShouldBe(0x3a5c559740f2fa8aUL);
    }

    [Fact]
    public void Ranking_matches_an_independent_python_implementation()
    {
        var ranked = SeededSplit.Rank(Enumerable.Range(0, Keys.Count).ToList(), i => Keys[i], 1234);
        ranked.Take(5).Select(i => Keys[i]).ShouldBe(["row-171", "row-988", "row-79", "row-681", "row-842"]);
    }

    [Fact]
    public void Same_seed_same_split_and_parts_are_disjoint_and_cover_the_rows()
    {
        var a = SeededSplit.Split(Keys, k => k, 7, 0.1, 0.2);
        var b = SeededSplit.Split(Keys.AsEnumerable().Reverse().ToList(), k => k, 7, 0.1, 0.2);
        a.Test.Count.ShouldBe(200);
        a.Validation.Count.ShouldBe(100);
        a.Train.Count.ShouldBe(700);
        a.Train.Concat(a.Validation).Concat(a.Test).Order().ShouldBe(Keys.Order());
        a.Train.Intersect(a.Test).ShouldBeEmpty();
        a.Train.Intersect(a.Validation).ShouldBeEmpty();
        a.Validation.Intersect(a.Test).ShouldBeEmpty();
        // File order does not matter, only keys and seed.
        b.Test.Order().ShouldBe(a.Test.Order());
        b.Validation.Order().ShouldBe(a.Validation.Order());
        // Each part keeps the input order.
        a.Test.ShouldBe(a.Test.OrderBy(k => Keys.IndexOf(k)));
    }

    [Fact]
    public void Another_seed_gives_another_split()
    {
        var a = SeededSplit.Split(Keys, k => k, 1, 0, 0.2);
        var b = SeededSplit.Split(Keys, k => k, 2, 0, 0.2);
        a.Test.Intersect(b.Test).Count().ShouldBeLessThan(100); // ~40 expected by chance
    }

    [Fact]
    public void Stratified_split_takes_the_fractions_within_each_stratum()
    {
        var rows = Enumerable.Range(0, 60).Select(i => (Key: $"k{i}", Group: i < 20 ? "a" : i < 50 ? "b" : "c")).ToList();
        var parts = SeededSplit.Split(rows, r => r.Key, 3, 0.1, 0.3, r => r.Group);
        parts.Test.Count(r => r.Group == "a").ShouldBe(6);
        parts.Test.Count(r => r.Group == "b").ShouldBe(9);
        parts.Test.Count(r => r.Group == "c").ShouldBe(3);
        parts.Validation.Count(r => r.Group == "a").ShouldBe(2);
        parts.Validation.Count(r => r.Group == "b").ShouldBe(3);
        parts.Validation.Count(r => r.Group == "c").ShouldBe(1);
    }

    [Fact]
    public void Sample_takes_the_best_ranked_rows_in_file_order()
    {
        var sample = SeededSplit.Sample(Keys, k => k, 5, 50);
        sample.Count.ShouldBe(50);
        sample.ShouldBe(sample.OrderBy(k => Keys.IndexOf(k)));
        var ranked = SeededSplit.Rank(Enumerable.Range(0, Keys.Count).ToList(), i => Keys[i], 5);
        sample.Order().ShouldBe(ranked.Take(50).Select(i => Keys[i]).Order());
        SeededSplit.Sample(Keys, k => k, 5, 5000).Count.ShouldBe(1000);
    }
}
