using System.Text.RegularExpressions;
using Retain.Benchmarks.IFEval.Text.Punkt;
using static Retain.Benchmarks.IFEval.Text.Punkt.PythonRegex;

namespace Retain.Benchmarks.IFEval.Text;

/// <summary>
/// <c>nltk.word_tokenize(text)</c> as nltk 3.8 does it: Punkt English sentences, each split by
/// <c>NLTKWordTokenizer</c> (the improved Treebank rules of nltk/tokenize/destructive.py: quotes, punctuation,
/// brackets, double dashes, clitics and the MacIntyre contractions, in that order, then a split on white space).
/// IFEval counts its upper-case tokens for <c>change_case:capital_word_frequency</c>.
/// </summary>
public static class NltkWordTokenizer
{
    private const RegexOptions Options = RegexOptions.CultureInvariant;
    private const string Sp = Space;

    private static readonly (Regex Pattern, string Replacement)[] StartingQuotes =
    [
        (new("([«“‘„]|[`]+)", Options), " $1 "),
        (new("^\"", Options), "``"),
        (new("(``)", Options), " $1 "),
        (new("([ ([{<])(\"|'{2})", Options), "$1 `` "),
        (new("(?i)(')(?!re|ve|ll|m|t|s|d|n)(" + Word + ")" + Boundary, Options), "$1 $2"),
    ];

    private static readonly (Regex Pattern, string Replacement)[] Punctuation =
    [
        (new("([^.])(\\.)([\\])}>\"'»”’ ]*)" + Sp + "*$", Options), "$1 $2 $3 "),
        (new("([:,])([^\\d])", Options), " $1 $2"),
        (new("([:,])$", Options), " $1 "),
        (new("\\.{2,}", Options), " $0 "),
        (new("[;@#$%&]", Options), " $0 "),
        (new("([^.])(\\.)([\\])}>\"']*)" + Sp + "*$", Options), "$1 $2$3 "),
        (new("[?!]", Options), " $0 "),
        (new("([^'])' ", Options), "$1 ' "),
        (new("[*]", Options), " $0 "),
    ];

    private static readonly (Regex Pattern, string Replacement) ParensBrackets = (new("[\\][(){}<>]", Options), " $0 ");
    private static readonly (Regex Pattern, string Replacement) DoubleDashes = (new("--", Options), " -- ");

    private static readonly (Regex Pattern, string Replacement)[] EndingQuotes =
    [
        (new("([»”’])", Options), " $1 "),
        (new("''", Options), " '' "),
        (new("\"", Options), " '' "),
        (new("([^' ])('[sS]|'[mM]|'[dD]|') ", Options), "$1 $2 "),
        (new("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", Options), "$1 $2 "),
    ];

    private static readonly Regex[] Contractions =
    [
        .. new[] { "(can)(not)", "(d)('ye)", "(gim)(me)", "(gon)(na)", "(got)(ta)", "(lem)(me)", "(more)('n)" }
            .Select(c => new Regex("(?i)" + Boundary + c + Boundary, Options)),
        new Regex("(?i)" + Boundary + "(wan)(na)(?=" + Sp + ")", Options),
        new Regex("(?i) ('t)(is)" + Boundary, Options),
        new Regex("(?i) ('t)(was)" + Boundary, Options),
    ];

    /// <summary>The tokens of <paramref name="text"/>.</summary>
    public static List<string> Tokenize(string text) =>
        PunktSentenceTokenizer.Tokenize(text).SelectMany(TokenizeSentence).ToList();

    /// <summary><c>NLTKWordTokenizer().tokenize(sentence)</c>.</summary>
    public static List<string> TokenizeSentence(string text)
    {
        foreach (var (pattern, replacement) in StartingQuotes) text = pattern.Replace(text, replacement);
        foreach (var (pattern, replacement) in Punctuation) text = pattern.Replace(text, replacement);
        text = ParensBrackets.Pattern.Replace(text, ParensBrackets.Replacement);
        text = DoubleDashes.Pattern.Replace(text, DoubleDashes.Replacement);
        text = " " + text + " ";
        foreach (var (pattern, replacement) in EndingQuotes) text = pattern.Replace(text, replacement);
        foreach (var pattern in Contractions) text = pattern.Replace(text, " $1 $2 ");
        return PythonText.SplitWhitespace(text);
    }
}
