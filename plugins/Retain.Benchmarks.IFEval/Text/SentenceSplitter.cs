namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// Sentence counting in the manner of NLTK's Punkt English model (which lm-eval uses), without its trained
/// parameters. A sentence ends at a token ending in <c>?</c> or <c>!</c>, or in <c>.</c> unless the token is a known
/// abbreviation or a single-letter initial; an ellipsis or a number ending in a period ends a sentence only when the
/// next token starts with an upper-case letter. Closing quotes and brackets after the mark stay with the sentence; a
/// mark not followed by white space (e.g. <c>3.5</c>, <c>end.Next</c>) never splits; line breaks alone do not split.
/// Where Punkt's learned abbreviation list, collocations and orthographic statistics decide otherwise, counts differ.
/// </summary>
public static class SentenceSplitter
{
    private static readonly HashSet<string> Abbreviations = new(StringComparer.Ordinal)
    {
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e", "cf", "inc", "ltd", "co",
        "corp", "dept", "univ", "gen", "gov", "sen", "rep", "col", "lt", "sgt", "capt", "u.s", "u.k", "u.n", "a.m", "p.m",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vol", "fig", "approx",
        "est", "ave", "blvd", "rd", "jr", "ph.d", "b.a", "m.a", "d.c", "n.y", "calif", "mass", "wash",
    };

    private const string Closers = "\"')]}”’»";

    /// <summary>The number of sentences in <paramref name="text"/> (0 for blank text).</summary>
    public static int Count(string text) => Split(text).Count;

    /// <summary>The sentences, as spans of the original text without surrounding white space.</summary>
    public static List<string> Split(string text)
    {
        var tokens = PythonText.SplitWhitespace(text);
        var sentences = new List<string>();
        var current = new List<string>();
        for (int i = 0; i < tokens.Count; i++)
        {
            current.Add(tokens[i]);
            string? next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            if (next is not null && EndsSentence(tokens[i], next))
            {
                sentences.Add(string.Join(' ', current));
                current.Clear();
            }
        }
        if (current.Count > 0) sentences.Add(string.Join(' ', current));
        return sentences;
    }

    private static bool EndsSentence(string token, string next)
    {
        string core = token.TrimEnd(Closers.ToCharArray());
        if (core.Length == 0) return false;
        char mark = core[^1];
        if (mark is '?' or '!') return true;
        if (mark != '.') return false;
        bool nextUpper = next.TrimStart(Closers.ToCharArray()).TrimStart('"', '\'', '(', '[', '“', '‘').FirstOrDefault() is var c && char.IsUpper(c);
        if (core.EndsWith("...", StringComparison.Ordinal) || core.EndsWith('…')) return nextUpper;
        string word = core[..^1].TrimStart('"', '\'', '(', '[', '“', '‘');
        if (word.Length == 0) return nextUpper;
        if (word.All(char.IsAsciiDigit)) return nextUpper;
        if (word.Length == 1 && char.IsLetter(word[0])) return false;
        if (Abbreviations.Contains(word.ToLowerInvariant())) return false;
        return true;
    }
}
