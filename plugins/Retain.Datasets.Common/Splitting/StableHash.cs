using System.Text;

namespace Retain.Datasets.Splitting;

/// <summary>
/// A seeded 64-bit hash of a row key that never changes across .NET versions or platforms (unlike
/// <see cref="string.GetHashCode()"/> and <see cref="Random"/>, whose algorithms are not part of their contract):
/// <c>h(seed, key) = mix(fnv1a64(utf8(key)) XOR mix((ulong)(long)seed))</c>, where <c>fnv1a64</c> is 64-bit FNV-1a
/// (offset 14695981039346656037, prime 1099511628211) and <c>mix</c> is the SplitMix64 finaliser
/// (<c>z += 0x9E3779B97F4A7C15; z = (z ^ z>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>27)·0x94D049BB133111EB; z ^ z>>31</c>).
/// </summary>
public static class StableHash
{
    /// <summary>The seeded hash of <paramref name="key"/>.</summary>
    public static ulong Of(int seed, string key) => Mix(Fnv1a64(key) ^ Mix(unchecked((ulong)(long)seed)));

    /// <summary>64-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static ulong Fnv1a64(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }
        return hash;
    }

    /// <summary>The SplitMix64 step: adds the golden-ratio increment and finalises.</summary>
    public static ulong Mix(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
