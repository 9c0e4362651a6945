using System.Globalization;
using System.Text;

namespace Retain.Benchmarks;

/// <summary>Python <c>str</c> semantics that scorers depend on, where .NET differs.</summary>
internal static class PythonText
{
    /// <summary>Python's <c>str.isspace</c> for one character (adds U+001C–U+001F to .NET's white space).</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || (c >= '\x1c' && c <= '\x1f');

    /// <summary><c>str.strip()</c>.</summary>
    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary><c>str.rstrip()</c>.</summary>
    public static string RStrip(string s)
    {
        int end = s.Length;
        while (end > 0 && IsSpace(s[end - 1])) end--;
        return s[..end];
    }

    /// <summary><c>str.lstrip()</c>.</summary>
    public static string LStrip(string s)
    {
        int start = 0;
        while (start < s.Length && IsSpace(s[start])) start++;
        return s[start..];
    }

    /// <summary><c>str.split()</c> with no separator: runs of white space separate, no empty pieces.</summary>
    public static List<string> SplitWhitespace(string s)
    {
        var parts = new List<string>();
        int i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            int start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s[start..i]);
        }
        return parts;
    }

    /// <summary><c>str.isupper()</c>: at least one cased character, and every cased character upper-case.</summary>
    public static bool IsUpper(string s) => CaseCheck(s, upper: true);

    /// <summary><c>str.islower()</c>: at least one cased character, and every cased character lower-case.</summary>
    public static bool IsLower(string s) => CaseCheck(s, upper: false);

    private static bool CaseCheck(string s, bool upper)
    {
        bool cased = false;
        foreach (var rune in s.EnumerateRunes())
        {
            int c = rune.Value;
            bool title = Rune.GetUnicodeCategory(rune) == UnicodeCategory.TitlecaseLetter;
            if (title || (upper ? IsLower(c) : IsUpper(c))) return false;
            if (upper ? IsUpper(c) : IsLower(c)) cased = true;
        }
        return cased;
    }

    /// <summary>
    /// Python's <c>isupper()</c> for one code point: the Unicode <c>Uppercase</c> property, i.e. Lu plus
    /// Other_Uppercase (Roman numerals, circled and squared capitals), as CPython 3.11's tables (Unicode 14) have it.
    /// </summary>
    public static bool IsUpper(int c) =>
        c is (>= 0x2160 and <= 0x216F) or (>= 0x24B6 and <= 0x24CF) or (>= 0x1F130 and <= 0x1F149) or (>= 0x1F150 and <= 0x1F169) or (>= 0x1F170 and <= 0x1F189)
        || (Rune.IsValid(c) && Rune.GetUnicodeCategory(new Rune(c)) == UnicodeCategory.UppercaseLetter);

    /// <summary>Python's <c>islower()</c> for one code point: the Unicode <c>Lowercase</c> property (Ll plus Other_Lowercase).</summary>
    public static bool IsLower(int c) =>
        c is 0xAA or 0xBA or (>= 0x2B0 and <= 0x2B8) or (>= 0x2C0 and <= 0x2C1) or (>= 0x2E0 and <= 0x2E4) or 0x345 or 0x37A
            or (>= 0x1D2C and <= 0x1D6A) or 0x1D78 or (>= 0x1D9B and <= 0x1DBF) or 0x2071 or 0x207F or (>= 0x2090 and <= 0x209C)
            or (>= 0x2170 and <= 0x217F) or (>= 0x24D0 and <= 0x24E9) or (>= 0x2C7C and <= 0x2C7D) or (>= 0xA69C and <= 0xA69D)
            or 0xA770 or (>= 0xA7F8 and <= 0xA7F9) or (>= 0xAB5C and <= 0xAB5F) or 0x10780 or (>= 0x10783 and <= 0x10785)
            or (>= 0x10787 and <= 0x107B0) or (>= 0x107B2 and <= 0x107BA)
        || (Rune.IsValid(c) && Rune.GetUnicodeCategory(new Rune(c)) == UnicodeCategory.LowercaseLetter);

    /// <summary>Python's <c>isupper()</c>/<c>islower()</c> of the first code point of a non-empty string.</summary>
    public static bool FirstIsUpper(string s) => IsUpper(First(s));

    /// <inheritdoc cref="FirstIsUpper"/>
    public static bool FirstIsLower(string s) => IsLower(First(s));

    // A lone surrogate decodes to U+FFFD, which, like the surrogate in Python, has no case.
    private static int First(string s)
    {
        Rune.DecodeFromUtf16(s, out var rune, out _);
        return rune.Value;
    }

    /// <summary>
    /// Python's <c>str.lower()</c> where it matters to scorers: invariant lower-casing, except that İ (U+0130) becomes
    /// "i̇" (i + U+0307) as Python's full case mapping has it. (Python's final-sigma rule is not reproduced.)
    /// </summary>
    public static string Lower(string s) => s.Replace("\u0130", "i\u0307", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Python's <c>str.capitalize()</c>: the first character upper-cased, the rest lower-cased.</summary>
    public static string Capitalize(string s)
    {
        if (s.Length == 0) return s;
        var first = Rune.GetRuneAt(s, 0);
        var rest = s[first.Utf16SequenceLength..];
        return Rune.ToUpperInvariant(first).ToString() + rest.ToLowerInvariant();
    }

    /// <summary>The number of Unicode code points (Python <c>len</c>).</summary>
    public static int Length(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }
}
