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
            var category = Rune.GetUnicodeCategory(rune);
            bool isUpper = category is UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter;
            bool isLower = category == UnicodeCategory.LowercaseLetter;
            if (upper)
            {
                if (isLower || category == UnicodeCategory.TitlecaseLetter) return false;
                if (isUpper) cased = true;
            }
            else
            {
                if (isUpper) return false;
                if (isLower) cased = true;
            }
        }
        return cased;
    }

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
