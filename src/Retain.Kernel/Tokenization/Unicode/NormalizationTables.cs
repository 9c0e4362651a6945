using System.Collections.Frozen;

namespace Retain.Kernel.Tokenization.Unicode;

/// <summary>Lookups over the generated normalization data (<c>NormalizationTables.g.cs</c>).</summary>
internal static partial class NormalizationTables
{
    private static readonly Lazy<FrozenDictionary<int, int[]>> Decompositions = new(BuildDecompositions);
    private static readonly Lazy<FrozenDictionary<int, byte>> Combining = new(BuildCombining);
    private static readonly Lazy<FrozenDictionary<long, int>> Compositions = new(BuildCompositions);
    private static readonly Lazy<FrozenSet<int>> CompositionSeconds = new(BuildCompositionSeconds);

    /// <summary>The full canonical decomposition of <paramref name="codePoint"/>, or null when it has none
    /// (Hangul syllables are not in the table).</summary>
    public static int[]? Decomposition(int codePoint) =>
        Decompositions.Value.TryGetValue(codePoint, out var d) ? d : null;

    /// <summary>The canonical combining class (0 for starters).</summary>
    public static int CombiningClass(int codePoint) =>
        codePoint < NfcInertBelow ? 0 : Combining.Value.TryGetValue(codePoint, out var c) ? c : 0;

    /// <summary>The primary composite of <paramref name="first"/> + <paramref name="second"/>, or -1.</summary>
    public static int Compose(int first, int second) =>
        Compositions.Value.TryGetValue(((long)first << 32) | (uint)second, out var c) ? c : -1;

    /// <summary>Whether <paramref name="codePoint"/> is the second half of some primary composite (it may combine
    /// with the starter before it).</summary>
    public static bool IsCompositionSecond(int codePoint) => CompositionSeconds.Value.Contains(codePoint);

    private static FrozenSet<int> BuildCompositionSeconds()
    {
        var triples = CompositionTriples;
        var seconds = new HashSet<int>();
        for (var i = 0; i < triples.Length; i += 3) seconds.Add(triples[i + 1]);
        return seconds.ToFrozenSet();
    }

    private static FrozenDictionary<int, int[]> BuildDecompositions()
    {
        var keys = DecompositionKeys;
        var offsets = DecompositionOffsets;
        var data = DecompositionData;
        var map = new Dictionary<int, int[]>(keys.Length);
        for (var i = 0; i < keys.Length; i++) map[keys[i]] = data[offsets[i]..offsets[i + 1]].ToArray();
        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<int, byte> BuildCombining()
    {
        var keys = CombiningKeys;
        var classes = CombiningClasses;
        var map = new Dictionary<int, byte>(keys.Length);
        for (var i = 0; i < keys.Length; i++) map[keys[i]] = classes[i];
        return map.ToFrozenDictionary();
    }

    private static FrozenDictionary<long, int> BuildCompositions()
    {
        var triples = CompositionTriples;
        var map = new Dictionary<long, int>(triples.Length / 3);
        for (var i = 0; i < triples.Length; i += 3) map[((long)triples[i] << 32) | (uint)triples[i + 1]] = triples[i + 2];
        return map.ToFrozenDictionary();
    }
}
