namespace Retain.Kernel.Chat;

/// <summary>Python's string operations as Jinja templates use them.</summary>
internal static class PythonText
{
    /// <summary><c>str.isspace</c>: .NET white space plus the information separators U+001C..U+001F.</summary>
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\u001C' and <= '\u001F';

    /// <summary><c>str.strip()</c>, which Jinja's <c>trim</c> filter calls.</summary>
    public static string Strip(string s)
    {
        var start = 0;
        var end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return s[start..end];
    }

    /// <summary><c>str.lstrip(chars)</c> / <c>str.rstrip(chars)</c> / <c>str.strip(chars)</c> for one character.</summary>
    public static string LStrip(string s, char c) => s.TrimStart(c);

    public static string RStrip(string s, char c) => s.TrimEnd(c);

    public static string Strip(string s, char c) => s.Trim(c);
}
