using System.Text.RegularExpressions;
using Retain.Benchmarks.IFEval.Text.Punkt;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>keywords:*</c> and <c>punctuation:no_comma</c>. Keywords are regular expressions (lm-eval does not escape them).</summary>
internal static class KeywordInstructions
{
    private const RegexOptions IgnoreCase = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary><c>keywords:existence</c>: every keyword is found somewhere (case-insensitive search).</summary>
    public static IInstruction Existence(InstructionArgs a)
    {
        var keywords = a.Strings("keywords").Order(StringComparer.Ordinal).Select(k => new Regex(k, IgnoreCase)).ToList();
        return new Check(r => keywords.All(k => k.IsMatch(r)));
    }

    /// <summary><c>keywords:frequency</c>: non-overlapping case-insensitive matches of the keyword, by relation.</summary>
    public static IInstruction Frequency(InstructionArgs a)
    {
        var keyword = new Regex(PythonText.Strip(a.String("keyword")), IgnoreCase);
        int frequency = a.Int("frequency");
        var relation = a.Relation("relation");
        return new Check(r => relation.Holds(keyword.Matches(r).Count, frequency));
    }

    /// <summary><c>keywords:forbidden_words</c>: no word matches as <c>\b word \b</c> (Python's <c>\b</c>), case-insensitive.</summary>
    public static IInstruction ForbiddenWords(InstructionArgs a)
    {
        var words = a.Strings("forbidden_words").Distinct().Order(StringComparer.Ordinal).Select(w => new Regex(PythonRegex.Boundary + w + PythonRegex.Boundary, IgnoreCase)).ToList();
        return new Check(r => !words.Any(w => w.IsMatch(r)));
    }

    /// <summary>
    /// <c>keywords:letter_frequency</c>: occurrences of the character in the lower-cased response ("less than" is &lt;,
    /// else &gt;=). As in google-research's checker, any one-character "letter" is counted as given (the dataset has
    /// '#' and '!'); lm-eval v0.4.9.1 replaces a letter outside a–z by a random one on every run.
    /// </summary>
    public static IInstruction LetterFrequency(InstructionArgs a)
    {
        string letter = PythonText.Strip(a.String("letter")).ToLowerInvariant();
        if (letter.Length != 1) throw new InstructionArgumentException($"argument 'letter' must be one character, got '{letter}'");
        int frequency = a.Int("let_frequency");
        bool lessThan = a.String("let_relation") == "less than";
        return new Check(r =>
        {
            int count = PythonText.Lower(r).Count(c => c == letter[0]);
            return lessThan ? count < frequency : count >= frequency;
        });
    }

    /// <summary><c>punctuation:no_comma</c>.</summary>
    public static IInstruction NoComma(InstructionArgs a) => new Check(r => !r.Contains(','));
}
