namespace Retain.Hosting.Runs;

/// <summary>
/// Seeded permutations that do not depend on the .NET version: Fisher–Yates driven by SplitMix64
/// (<c>System.Random</c>'s algorithm is not guaranteed stable across releases, and resume must replay the order).
/// </summary>
public static class DataOrder
{
    /// <summary>The order of <paramref name="count"/> examples in an epoch.</summary>
    public static int[] Epoch(int count, int seed, int epoch) => Permutation(count, Mix((ulong)(uint)seed, (ulong)(uint)epoch + 1));

    /// <summary>A seeded subsample of <paramref name="limit"/> indexes in ascending order.</summary>
    public static int[] Subsample(int count, int limit, int seed) =>
        Permutation(count, Mix((ulong)(uint)seed, 0x5A5A5A5AUL)).Take(Math.Min(limit, count)).Order().ToArray();

    /// <summary>A permutation of 0..count−1.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        ulong state = seed;
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Mix(ulong a, ulong b)
    {
        ulong state = a * 0x9E3779B97F4A7C15UL ^ b;
        return Next(ref state);
    }

    /// <summary>SplitMix64.</summary>
    public static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
