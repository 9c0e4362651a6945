using Retain.Evaluation;

namespace Retain.Benchmarks;

/// <summary>Which documents a run evaluates: all of them, or a seeded subsample of <see cref="BenchmarkContext.Limit"/>.</summary>
internal static class DocSelection
{
    /// <summary>
    /// Doc ids to evaluate, ascending. With a limit below <paramref name="total"/>, a uniform sample without
    /// replacement drawn with <see cref="Random"/> seeded by <see cref="BenchmarkContext.Seed"/> (a partial
    /// Fisher–Yates shuffle), so the same seed and limit always select the same documents.
    /// </summary>
    public static int[] Select(int total, BenchmarkContext context)
    {
        if (context.Limit is not { } limit || limit >= total) return Enumerable.Range(0, total).ToArray();
        if (limit <= 0) throw new ArgumentOutOfRangeException(nameof(context), $"--limit must be positive (got {limit}).");
        var ids = Enumerable.Range(0, total).ToArray();
        var random = new Random(context.Seed);
        for (int i = 0; i < limit; i++)
        {
            int j = random.Next(i, total);
            (ids[i], ids[j]) = (ids[j], ids[i]);
        }
        var chosen = ids[..limit];
        Array.Sort(chosen);
        return chosen;
    }
}
