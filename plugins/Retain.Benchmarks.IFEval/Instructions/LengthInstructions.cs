using System.Text.RegularExpressions;
using Retain.Benchmarks.IFEval.Text;
using Retain.Benchmarks.IFEval.Text.Punkt;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>length_constraints:*</c>.</summary>
internal static partial class LengthInstructions
{
    /// <summary><c>number_sentences</c>: nltk Punkt English sentences (<c>count_sentences</c>) by relation.</summary>
    public static IInstruction Sentences(InstructionArgs a)
    {
        int n = a.Int("num_sentences");
        var relation = a.Relation("relation");
        return new Check(r => relation.Holds(PunktSentenceTokenizer.Count(r), n));
    }

    /// <summary><c>number_words</c>: matches of <c>\w+</c> by relation.</summary>
    public static IInstruction Words(InstructionArgs a)
    {
        int n = a.Int("num_words");
        var relation = a.Relation("relation");
        return new Check(r => relation.Holds(WordTokenizer.CountWords(r), n));
    }

    /// <summary><c>number_paragraphs</c>: pieces between <c>***</c> markers; empty ones only allowed at the ends.</summary>
    public static IInstruction Paragraphs(InstructionArgs a)
    {
        int n = a.Int("num_paragraphs");
        return new Check(r =>
        {
            var pieces = ParagraphMarker().Split(r);
            int count = pieces.Length;
            for (int i = 0; i < pieces.Length; i++)
            {
                if (PythonText.Strip(pieces[i]).Length > 0) continue;
                if (i == 0 || i == pieces.Length - 1) count--;
                else return false;
            }
            return count == n;
        });
    }

    /// <summary><c>nth_paragraph_first_word</c>: paragraph count (split on "\n\n") and the first word of the nth.</summary>
    public static IInstruction NthParagraphFirstWord(InstructionArgs a)
    {
        int n = a.Int("num_paragraphs");
        int nth = a.Int("nth_paragraph");
        string firstWord = a.String("first_word").ToLowerInvariant();
        return new Check(r =>
        {
            var paragraphs = r.Split("\n\n");
            int count = paragraphs.Count(p => PythonText.Strip(p).Length > 0);
            if (nth > count || nth < 1) return false;
            string paragraph = PythonText.Strip(paragraphs[nth - 1]);
            if (paragraph.Length == 0) return false;
            string word = PythonText.Strip(PythonText.SplitWhitespace(paragraph)[0]).TrimStart('\'').TrimStart('"');
            var first = new System.Text.StringBuilder();
            foreach (char c in word.ToLowerInvariant())
            {
                if (c is '.' or ',' or '?' or '!' or '\'' or '"') break;
                first.Append(c);
            }
            return count == n && first.ToString() == firstWord;
        });
    }

    [GeneratedRegex(@"\s?\*\*\*\s?")]
    private static partial Regex ParagraphMarker();
}
