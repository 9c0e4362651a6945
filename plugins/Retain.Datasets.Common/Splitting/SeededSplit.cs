namespace Retain.Datasets.Splitting;

/// <summary>Three disjoint parts of a row list, each in the rows' original order.</summary>
public sealed record SplitParts<T>(IReadOnlyList<T> Train, IReadOnlyList<T> Validation, IReadOnlyList<T> Test);

/// <summary>
/// Deterministic, seeded splits and samples by row key. Rows are ranked by <see cref="StableHash.Of"/>(seed, key)
/// (ties, i.e. equal keys, by file position); the ranking depends only on the seed and the keys, never on file order
/// or on the .NET version. Each part keeps the rows' original order.
/// </summary>
public static class SeededSplit
{
    /// <summary>
    /// Splits <paramref name="rows"/>: within each stratum (all rows when <paramref name="stratum"/> is null), the
    /// first round(n·testFraction) ranked rows go to test, the next round(n·validationFraction) to validation and the
    /// rest to train (round half away from zero; validation shrinks if the two would exceed n).
    /// </summary>
    public static SplitParts<T> Split<T>(IReadOnlyList<T> rows, Func<T, string> key, int seed,
        double validationFraction, double testFraction, Func<T, string>? stratum = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(validationFraction);
        ArgumentOutOfRangeException.ThrowIfNegative(testFraction);
        if (validationFraction + testFraction > 1) throw new ArgumentException("validation and test fractions sum to more than 1.");

        var part = new int[rows.Count]; // 0 train, 1 validation, 2 test
        var groups = Enumerable.Range(0, rows.Count).GroupBy(i => stratum is null ? "" : stratum(rows[i]), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var ranked = Rank(group.ToList(), i => key(rows[i]), seed);
            int n = ranked.Count;
            int test = (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero);
            int validation = Math.Min(n - test, (int)Math.Round(n * validationFraction, MidpointRounding.AwayFromZero));
            for (int r = 0; r < n; r++) part[ranked[r]] = r < test ? 2 : r < test + validation ? 1 : 0;
        }
        return new SplitParts<T>(
            Enumerable.Range(0, rows.Count).Where(i => part[i] == 0).Select(i => rows[i]).ToList(),
            Enumerable.Range(0, rows.Count).Where(i => part[i] == 1).Select(i => rows[i]).ToList(),
            Enumerable.Range(0, rows.Count).Where(i => part[i] == 2).Select(i => rows[i]).ToList());
    }

    /// <summary>The <paramref name="count"/> best-ranked rows (all rows when there are fewer), in original order.</summary>
    public static IReadOnlyList<T> Sample<T>(IReadOnlyList<T> rows, Func<T, string> key, int seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var chosen = Rank(Enumerable.Range(0, rows.Count).ToList(), i => key(rows[i]), seed).Take(count).ToHashSet();
        return Enumerable.Range(0, rows.Count).Where(chosen.Contains).Select(i => rows[i]).ToList();
    }

    /// <summary>Row indices sorted by seeded key hash, then by index.</summary>
    public static List<int> Rank(IReadOnlyList<int> indices, Func<int, string> key, int seed)
    {
        var hashes = indices.ToDictionary(i => i, i => StableHash.Of(seed, key(i)));
        return indices.OrderBy(i => hashes[i]).ThenBy(i => i).ToList();
    }
}
