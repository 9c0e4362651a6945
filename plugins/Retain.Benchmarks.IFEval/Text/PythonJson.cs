namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// Whether Python's <c>json.loads</c> (strict mode) accepts a string: one JSON value with optional surrounding
/// whitespace (space, tab, newline, carriage return), plus Python's extensions <c>NaN</c>, <c>Infinity</c> and
/// <c>-Infinity</c>. Duplicate keys and lone surrogate escapes are accepted, as in Python.
/// </summary>
public static class PythonJson
{
    /// <summary>True when <paramref name="text"/> parses.</summary>
    public static bool IsValid(string text)
    {
        int i = 0;
        SkipSpace(text, ref i);
        if (!Value(text, ref i, depth: 0)) return false;
        SkipSpace(text, ref i);
        return i == text.Length;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\r') i++;
    }

    private static bool Value(string s, ref int i, int depth)
    {
        if (i >= s.Length || depth > 900) return false;
        switch (s[i])
        {
            case '{': return Container(s, ref i, depth, '}', isObject: true);
            case '[': return Container(s, ref i, depth, ']', isObject: false);
            case '"': return String(s, ref i);
            default:
                foreach (var literal in new[] { "true", "false", "null", "NaN", "Infinity", "-Infinity" })
                {
                    if (string.CompareOrdinal(s, i, literal, 0, literal.Length) == 0) { i += literal.Length; return true; }
                }
                return Number(s, ref i);
        }
    }

    private static bool Container(string s, ref int i, int depth, char close, bool isObject)
    {
        i++;
        SkipSpace(s, ref i);
        if (i < s.Length && s[i] == close) { i++; return true; }
        while (true)
        {
            if (isObject)
            {
                if (i >= s.Length || s[i] != '"' || !String(s, ref i)) return false;
                SkipSpace(s, ref i);
                if (i >= s.Length || s[i] != ':') return false;
                i++;
                SkipSpace(s, ref i);
            }
            if (!Value(s, ref i, depth + 1)) return false;
            SkipSpace(s, ref i);
            if (i >= s.Length) return false;
            if (s[i] == close) { i++; return true; }
            if (s[i] != ',') return false;
            i++;
            SkipSpace(s, ref i);
        }
    }

    private static bool String(string s, ref int i)
    {
        i++;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '"') { i++; return true; }
            if (c < 0x20) return false;
            if (c == '\\')
            {
                if (i + 1 >= s.Length) return false;
                char e = s[i + 1];
                if (e == 'u')
                {
                    if (i + 6 > s.Length || !s.AsSpan(i + 2, 4).ToString().All(Uri.IsHexDigit)) return false;
                    i += 6;
                    continue;
                }
                if (e is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't')) return false;
                i += 2;
                continue;
            }
            i++;
        }
        return false;
    }

    private static bool Number(string s, ref int i)
    {
        int start = i;
        if (i < s.Length && s[i] == '-') i++;
        if (i >= s.Length || !char.IsAsciiDigit(s[i])) { i = start; return false; }
        if (s[i] == '0') i++;
        else while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        if (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        }
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            int mark = i;
            i++;
            if (i < s.Length && s[i] is '+' or '-') i++;
            if (i < s.Length && char.IsAsciiDigit(s[i])) while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            else i = mark;
        }
        return true;
    }
}
