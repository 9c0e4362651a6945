using System.Globalization;
using System.Text;

namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// Word counting and tokenisation for IFEval. <see cref="CountWords"/> is NLTK's <c>RegexpTokenizer(r"\w+")</c> with
/// Python's <c>\w</c> (letters, decimal and other numeric characters, underscore; <b>not</b> combining marks, unlike
/// .NET's <c>\w</c>). <see cref="Tokenize"/> approximates <c>nltk.word_tokenize</c> (Treebank rules): words, with
/// leading/trailing punctuation and the clitics <c>n't 's 're 've 'll 'd 'm</c> split off. It differs from NLTK on
/// rarer rules (e.g. <c>cannot</c> → <c>can not</c>, a sentence-internal period kept on a token); only whether a
/// token is upper-case matters to the checker using it.
/// </summary>
public static class WordTokenizer
{
    private static readonly string[] Clitics = ["n't", "'s", "'re", "'ve", "'ll", "'d", "'m"];
    private const string Leading = "\"'([{<`«“‘";
    private const string Trailing = "\"')]}>.,;:!?«»”’";

    /// <summary>The number of maximal runs of Python <c>\w</c> characters.</summary>
    public static int CountWords(string text)
    {
        int count = 0;
        bool inWord = false;
        foreach (var rune in text.EnumerateRunes())
        {
            bool word = IsWordChar(rune);
            if (word && !inWord) count++;
            inWord = word;
        }
        return count;
    }

    /// <summary>Python's <c>\w</c> for one character.</summary>
    public static bool IsWordChar(Rune rune)
    {
        if (rune.Value == '_') return true;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary>Treebank-style tokens.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (var chunk in PythonText.SplitWhitespace(text))
        {
            int start = 0, end = chunk.Length;
            while (start < end && Leading.Contains(chunk[start])) tokens.Add(chunk[start++].ToString());
            var tail = new List<string>();
            while (end > start && Trailing.Contains(chunk[end - 1]))
            {
                // An ellipsis stays one token.
                if (chunk[end - 1] == '.' && end - start >= 3 && chunk[end - 2] == '.' && chunk[end - 3] == '.') { tail.Insert(0, "..."); end -= 3; }
                else tail.Insert(0, chunk[--end].ToString());
            }
            string word = chunk[start..end];
            if (word.Length > 0)
            {
                var clitic = Clitics.FirstOrDefault(c => word.Length > c.Length && word.EndsWith(c, StringComparison.OrdinalIgnoreCase));
                if (clitic is not null)
                {
                    tokens.Add(word[..^clitic.Length]);
                    tokens.Add(word[^clitic.Length..]);
                }
                else tokens.Add(word);
            }
            tokens.AddRange(tail);
        }
        return tokens;
    }
}
