using System.Text;

namespace Retain.Kernel.Tokenization.Unicode;

/// <summary>
/// Unicode canonical normalization (NFD, NFC) over Unicode scalars, from the kernel's own tables: the runtime runs
/// in invariant-globalization mode, where <see cref="string.Normalize()"/> returns its input unchanged. Unpaired
/// surrogates pass through untouched.
/// </summary>
internal static class CanonicalNormalization
{
    private const int HangulSBase = 0xAC00, HangulLBase = 0x1100, HangulVBase = 0x1161, HangulTBase = 0x11A7;
    private const int HangulLCount = 19, HangulVCount = 21, HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount, HangulSCount = HangulLCount * HangulNCount;

    /// <summary>NFC of <paramref name="text"/>; the same string instance when it is already trivially NFC.</summary>
    public static string ToNfc(string text)
    {
        if (IsInert(text)) return text;
        var codePoints = Decompose(text);
        Compose(codePoints);
        return ToText(codePoints);
    }

    /// <summary>NFD of <paramref name="text"/>.</summary>
    public static string ToNfd(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u00BF')) return text;
        return ToText(Decompose(text));
    }

    private static bool IsInert(string text) =>
        !text.AsSpan().ContainsAnyExceptInRange('\0', (char)(NormalizationTables.NfcInertBelow - 1));

    /// <summary>Full canonical decomposition followed by the canonical ordering of combining marks.</summary>
    private static List<int> Decompose(string text)
    {
        var output = new List<int>(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            AppendDecomposed(cp, output);
        }
        SortCombiningMarks(output);
        return output;
    }

    private static void AppendDecomposed(int cp, List<int> output)
    {
        var sIndex = cp - HangulSBase;
        if (sIndex is >= 0 and < HangulSCount)
        {
            output.Add(HangulLBase + sIndex / HangulNCount);
            output.Add(HangulVBase + sIndex % HangulNCount / HangulTCount);
            var t = sIndex % HangulTCount;
            if (t != 0) output.Add(HangulTBase + t);
            return;
        }
        if (cp >= 0xC0 && NormalizationTables.Decomposition(cp) is { } parts) output.AddRange(parts);
        else output.Add(cp);
    }

    /// <summary>Stable sort of each run of non-starters by combining class (the canonical ordering algorithm).</summary>
    private static void SortCombiningMarks(List<int> cps)
    {
        for (var i = 1; i < cps.Count; i++)
        {
            var ccc = NormalizationTables.CombiningClass(cps[i]);
            if (ccc == 0) continue;
            var j = i;
            var cp = cps[i];
            while (j > 0 && NormalizationTables.CombiningClass(cps[j - 1]) > ccc)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = cp;
        }
    }

    /// <summary>The canonical composition algorithm, in place.</summary>
    private static void Compose(List<int> cps)
    {
        if (cps.Count == 0) return;
        var starterIndex = NormalizationTables.CombiningClass(cps[0]) == 0 ? 0 : -1;
        var lastClass = starterIndex == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < cps.Count; read++)
        {
            var cp = cps[read];
            var ccc = NormalizationTables.CombiningClass(cp);
            if (starterIndex >= 0 && (lastClass < ccc || (lastClass == 0 && write == starterIndex + 1)))
            {
                var composite = ComposePair(cps[starterIndex], cp);
                if (composite >= 0)
                {
                    cps[starterIndex] = composite;
                    continue;
                }
            }
            if (ccc == 0)
            {
                starterIndex = write;
                lastClass = 0;
            }
            else
            {
                lastClass = ccc;
            }
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static int ComposePair(int first, int second)
    {
        var lIndex = first - HangulLBase;
        if (lIndex is >= 0 and < HangulLCount)
        {
            var vIndex = second - HangulVBase;
            if (vIndex is >= 0 and < HangulVCount) return HangulSBase + (lIndex * HangulVCount + vIndex) * HangulTCount;
        }
        var sIndex = first - HangulSBase;
        if (sIndex is >= 0 and < HangulSCount && sIndex % HangulTCount == 0)
        {
            var tIndex = second - HangulTBase;
            if (tIndex is > 0 and < HangulTCount) return first + tIndex;
        }
        return NormalizationTables.Compose(first, second);
    }

    private static string ToText(List<int> cps)
    {
        var sb = new StringBuilder(cps.Count + 4);
        Span<char> buffer = stackalloc char[2];
        foreach (var cp in cps)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp);
            else sb.Append(buffer[..new Rune(cp).EncodeToUtf16(buffer)]);
        }
        return sb.ToString();
    }
}
