using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Retain.Kernel.Tokenization.Unicode;

/// <summary>
/// A regular expression evaluated over Unicode scalars, as the Rust tokenizers library (Oniguruma) evaluates the
/// pre-tokenizer patterns of <c>tokenizer.json</c>. .NET's <see cref="Regex"/> works on UTF-16 code units, so a
/// supplementary-plane character is two surrogates of category Cs and never matches <c>\p{L}</c>. Before matching, each
/// surrogate pair is replaced by one BMP stand-in of the same general category; every class these patterns use
/// (<c>\p{..}</c>, <c>\s</c>, <c>\w</c>, <c>\d</c>) is decided by the general category alone (no supplementary scalar
/// is white space), and the stand-ins appear nowhere in the pattern, even case-insensitively, so matches are
/// identical. Match positions are mapped back to the original text.
/// </summary>
internal sealed class ScalarRegex : IScalarMatcher
{
    private static readonly char[] StandIns = BuildStandIns();

    private readonly Regex _regex;

    /// <summary>Compiles <paramref name="pattern"/>; throws <see cref="ArgumentException"/> when .NET cannot parse it or
    /// it contains characters that would defeat the stand-in scheme.</summary>
    public ScalarRegex(string pattern)
    {
        Pattern = pattern;
        foreach (var c in pattern)
        {
            if (char.IsSurrogate(c))
                throw new ArgumentException("patterns with literal supplementary-plane characters are not supported");
            if (Array.IndexOf(StandIns, c) >= 0 || Array.IndexOf(StandIns, char.ToUpperInvariant(c)) >= 0 ||
                Array.IndexOf(StandIns, char.ToLowerInvariant(c)) >= 0)
                throw new ArgumentException($"pattern contains U+{(int)c:X4}, reserved as a stand-in for supplementary characters");
        }
        _regex = new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant);
    }

    /// <summary>The pattern text.</summary>
    public string Pattern { get; }

    /// <summary>Appends the (start, length) of each successive non-overlapping match in <paramref name="text"/>.</summary>
    public void Matches(ReadOnlySpan<char> text, List<(int Start, int Length)> output)
    {
        if (text.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            foreach (var m in _regex.EnumerateMatches(text)) output.Add((m.Index, m.Length));
            return;
        }
        var substituted = ArrayPool<char>.Shared.Rent(text.Length);
        var originalIndex = ArrayPool<int>.Shared.Rent(text.Length + 1);
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            originalIndex[n] = i;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                substituted[n++] = StandIns[(int)category];
                i++;
            }
            else
            {
                substituted[n++] = text[i];
            }
        }
        originalIndex[n] = text.Length;
        foreach (var m in _regex.EnumerateMatches(substituted.AsSpan(0, n)))
        {
            var start = originalIndex[m.Index];
            output.Add((start, originalIndex[m.Index + m.Length] - start));
        }
        ArrayPool<char>.Shared.Return(substituted);
        ArrayPool<int>.Shared.Return(originalIndex);
    }

    private static char[] BuildStandIns()
    {
        // One BMP character per UnicodeCategory value, outside ASCII and outside every pattern in use.
        var standIns = new char[30];
        void Set(UnicodeCategory category, char c)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != category)
                throw new InvalidOperationException($"stand-in U+{(int)c:X4} is not {category}");
            standIns[(int)category] = c;
        }
        Set(UnicodeCategory.UppercaseLetter, '\u0411');
        Set(UnicodeCategory.LowercaseLetter, '\u0431');
        Set(UnicodeCategory.TitlecaseLetter, '\u01C5');
        Set(UnicodeCategory.ModifierLetter, '\u02B0');
        Set(UnicodeCategory.OtherLetter, '\u05D0');
        Set(UnicodeCategory.NonSpacingMark, '\u0300');
        Set(UnicodeCategory.SpacingCombiningMark, '\u0903');
        Set(UnicodeCategory.EnclosingMark, '\u20DD');
        Set(UnicodeCategory.DecimalDigitNumber, '\u0660');
        Set(UnicodeCategory.LetterNumber, '\u16EE');
        Set(UnicodeCategory.OtherNumber, '\u00B2');
        Set(UnicodeCategory.SpaceSeparator, '\u2007');
        Set(UnicodeCategory.LineSeparator, '\u2028');
        Set(UnicodeCategory.ParagraphSeparator, '\u2029');
        Set(UnicodeCategory.Control, '\u0007');
        Set(UnicodeCategory.Format, '\u00AD');
        Set(UnicodeCategory.Surrogate, '\uDFFF');
        Set(UnicodeCategory.PrivateUse, '\uE000');
        Set(UnicodeCategory.ConnectorPunctuation, '\u203F');
        Set(UnicodeCategory.DashPunctuation, '\u2010');
        Set(UnicodeCategory.OpenPunctuation, '\u2045');
        Set(UnicodeCategory.ClosePunctuation, '\u2046');
        Set(UnicodeCategory.InitialQuotePunctuation, '\u00AB');
        Set(UnicodeCategory.FinalQuotePunctuation, '\u00BB');
        Set(UnicodeCategory.OtherPunctuation, '\u00BF');
        Set(UnicodeCategory.MathSymbol, '\u00D7');
        Set(UnicodeCategory.CurrencySymbol, '\u00A2');
        Set(UnicodeCategory.ModifierSymbol, '\u00B4');
        Set(UnicodeCategory.OtherSymbol, '\u00A9');
        Set(UnicodeCategory.OtherNotAssigned, '\u0378');
        return standIns;
    }
}
