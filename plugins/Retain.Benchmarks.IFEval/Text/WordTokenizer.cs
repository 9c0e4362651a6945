using System.Globalization;
using System.Text;

namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// IFEval's <c>count_words</c>: NLTK's <c>RegexpTokenizer(r"\w+")</c> with Python's <c>\w</c> (letters, decimal and
/// other numeric characters, underscore; <b>not</b> combining marks, unlike .NET's <c>\w</c>).
/// </summary>
public static class WordTokenizer
{
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
}
