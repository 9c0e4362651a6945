namespace Retain.Datasets.MedCalc.Python;

/// <summary>What a token is.</summary>
internal enum PyTokenKind { Number, Name, Operator, End }

/// <summary>One token of a Python expression.</summary>
internal readonly record struct PyToken(PyTokenKind Kind, string Text);

/// <summary>
/// Splits the expression subset MedCalc-Bench evaluates into tokens: decimal numbers (ASCII digits, optional
/// fraction and exponent), names, and the operators <c>** // == != &lt;= &gt;= &lt; &gt; + - * / % ~ ( ) , .</c>.
/// Anything else (strings, other characters, a number glued to letters such as <c>5k</c>) is a SyntaxError, as in Python.
/// </summary>
internal static class PyTokens
{
    private static readonly string[] Operators = ["**", "//", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "~", "(", ")", ",", "."];

    public static List<PyToken> Split(string source)
    {
        var tokens = new List<PyToken>();
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (c is ' ' or '\t' or '\f')
            {
                i++;
                continue;
            }
            if (IsAsciiDigit(c) || (c == '.' && i + 1 < source.Length && IsAsciiDigit(source[i + 1])))
            {
                int start = i;
                while (i < source.Length && IsAsciiDigit(source[i])) i++;
                if (i < source.Length && source[i] == '.')
                {
                    i++;
                    while (i < source.Length && IsAsciiDigit(source[i])) i++;
                }
                if (i < source.Length && source[i] is 'e' or 'E')
                {
                    int mark = i + 1;
                    if (mark < source.Length && source[mark] is '+' or '-') mark++;
                    if (mark < source.Length && IsAsciiDigit(source[mark]))
                    {
                        i = mark;
                        while (i < source.Length && IsAsciiDigit(source[i])) i++;
                    }
                }
                if (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_'))
                {
                    throw new PyError($"SyntaxError: invalid decimal literal '{source[start..(i + 1)]}'");
                }
                tokens.Add(new PyToken(PyTokenKind.Number, source[start..i]));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                tokens.Add(new PyToken(PyTokenKind.Name, source[start..i]));
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, i, o, 0, o.Length) == 0)
                ?? throw new PyError($"SyntaxError: invalid character '{c}'");
            tokens.Add(new PyToken(PyTokenKind.Operator, op));
            i += op.Length;
        }
        tokens.Add(new PyToken(PyTokenKind.End, ""));
        return tokens;
    }

    private static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';
}
