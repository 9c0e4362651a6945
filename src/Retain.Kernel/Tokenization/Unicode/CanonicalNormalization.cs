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

    /// <summary>NFC of <paramref name="text"/>; the same string instance when NFC leaves it unchanged.</summary>
    /// <remarks>
    /// Only the stretches around characters that may change or combine are normalized: the text is cut before every
    /// <see cref="IsCompositionBoundary">composition boundary</see>, and NFC of the whole is the concatenation of
    /// NFC of the parts (no reordering or composition crosses a starter that nothing composes with backwards). A
    /// part made of one boundary character alone is its own NFC, so only parts holding a non-boundary are rewritten.
    /// </remarks>
    public static string ToNfc(string text)
    {
        var span = text.AsSpan();
        var next = span.IndexOfAnyExceptInRange('\0', (char)(NormalizationTables.NfcInertBelow - 1));
        if (next < 0) return text;
        StringBuilder? result = null;
        var copied = 0; // text[..copied] is already in result (or unchanged, while result is null)
        var position = next;
        while (position < span.Length)
        {
            var width = ScalarAt(span, position, out var cp);
            if (IsCompositionBoundary(cp))
            {
                position += width;
                var skip = span[position..].IndexOfAnyExceptInRange('\0', (char)(NormalizationTables.NfcInertBelow - 1));
                if (skip < 0) break;
                position += skip;
                continue;
            }
            // The part runs from the boundary before this character (what precedes it always is one: skipped above,
            // or where the previous part stopped) to the next boundary.
            var start = position > 0 ? PreviousScalarStart(span, position) : position;
            var end = position + width;
            while (end < span.Length)
            {
                var w = ScalarAt(span, end, out var c);
                if (IsCompositionBoundary(c)) break;
                end += w;
            }
            var part = span[start..end];
            var codePoints = Decompose(part);
            Compose(codePoints);
            if (!SameText(codePoints, part))
            {
                result ??= new StringBuilder(text.Length + 16);
                result.Append(span[copied..start]);
                AppendText(codePoints, result);
                copied = end;
            }
            position = end;
        }
        if (result is null) return text;
        return result.Append(span[copied..]).ToString();
    }

    private static readonly Lazy<bool[]> BmpBoundaries = new(() =>
    {
        var table = new bool[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++) table[c] = c is < 0xD800 or > 0xDFFF && ComputeIsCompositionBoundary(c);
        return table;
    });

    /// <summary>
    /// Whether NFC never looks back across <paramref name="cp"/>: a starter (combining class 0) with no canonical
    /// decomposition that is never the second half of a composition (Hangul vowel and trailing jamo are). Below
    /// <see cref="NormalizationTables.NfcInertBelow"/> every character qualifies (those with a decomposition start with
    /// such a starter and are their own NFC).
    /// </summary>
    private static bool IsCompositionBoundary(int cp) => cp < NormalizationTables.NfcInertBelow ||
        (cp <= char.MaxValue ? BmpBoundaries.Value[cp] : ComputeIsCompositionBoundary(cp));

    private static bool ComputeIsCompositionBoundary(int cp) => cp < NormalizationTables.NfcInertBelow ||
        (NormalizationTables.CombiningClass(cp) == 0 && NormalizationTables.Decomposition(cp) is null &&
         !NormalizationTables.IsCompositionSecond(cp) && cp is not (>= HangulVBase and < HangulVBase + HangulVCount) &&
         cp is not (> HangulTBase and < HangulTBase + HangulTCount));

    /// <summary>The scalar at <paramref name="index"/> (an unpaired surrogate stands for itself) and its width.</summary>
    private static int ScalarAt(ReadOnlySpan<char> s, int index, out int cp)
    {
        if (char.IsHighSurrogate(s[index]) && index + 1 < s.Length && char.IsLowSurrogate(s[index + 1]))
        {
            cp = char.ConvertToUtf32(s[index], s[index + 1]);
            return 2;
        }
        cp = s[index];
        return 1;
    }

    private static int PreviousScalarStart(ReadOnlySpan<char> s, int index) =>
        index >= 2 && char.IsLowSurrogate(s[index - 1]) && char.IsHighSurrogate(s[index - 2]) ? index - 2 : index - 1;

    private static bool SameText(List<int> cps, ReadOnlySpan<char> text)
    {
        var i = 0;
        foreach (var cp in cps)
        {
            if (cp > char.MaxValue)
            {
                if (i + 1 >= text.Length || ScalarAt(text, i, out var actual) != 2 || actual != cp) return false;
                i += 2;
            }
            else
            {
                if (i >= text.Length || text[i] != cp) return false;
                i++;
            }
        }
        return i == text.Length;
    }

    /// <summary>NFD of <paramref name="text"/>.</summary>
    public static string ToNfd(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u00BF')) return text;
        return ToText(Decompose(text));
    }

    /// <summary>Full canonical decomposition followed by the canonical ordering of combining marks.</summary>
    private static List<int> Decompose(ReadOnlySpan<char> text)
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

    private static string ToText(List<int> cps) => AppendText(cps, new StringBuilder(cps.Count + 4)).ToString();

    private static StringBuilder AppendText(List<int> cps, StringBuilder sb)
    {
        Span<char> buffer = stackalloc char[2];
        foreach (var cp in cps)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) sb.Append((char)cp);
            else sb.Append(buffer[..new Rune(cp).EncodeToUtf16(buffer)]);
        }
        return sb;
    }
}
