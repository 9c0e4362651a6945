using System.Text.RegularExpressions;
using static Retain.Benchmarks.IFEval.Text.Punkt.PythonRegex;

namespace Retain.Benchmarks.IFEval.Text.Punkt;

/// <summary>
/// nltk 3.8's <c>PunktSentenceTokenizer.tokenize</c> (nltk/tokenize/punkt.py) with the trained English parameters:
/// candidate ends (<c>. ? !</c> followed by punctuation or white space and a token), each decided on the words around
/// it by the first pass (sentence-end characters, ellipses, known abbreviations) and the second pass (collocations,
/// the orthographic heuristic, frequent sentence starters, initials and numbers), then closing quotes and brackets
/// realigned into the sentence they close. What <c>nltk.sent_tokenize(text)</c> returns for English.
/// </summary>
public static partial class PunktSentenceTokenizer
{
    private const string NonWord = @"(?:[)"";}\]*:@'({\[!?])";
    private const string MultiChar = @"(?:-{2,}|\.{2,}|(?:\." + Space + "){2,}\\.)";
    private const string WordStart = @"[^(""`{\[:;&#*@)}\]\-,]";

    private static readonly Regex WordTokenizer = new(
        "(" + MultiChar + "|(?=" + WordStart + ")" + NonSpace + "+?(?=" + Space + "|$|" + NonWord + "|" + MultiChar
        + "|,(?=$|" + Space + "|" + NonWord + "|" + MultiChar + "))|" + NonSpace + ")", RegexOptions.CultureInvariant);

    private static readonly Regex PeriodContext = new(
        @"[.?!](?=(?<after_tok>" + NonWord + "|" + Space + "+(?<next_tok>" + NonSpace + "+)))", RegexOptions.CultureInvariant);

    private static readonly Regex BoundaryRealignment = new(@"\A[""')\]}]+?(?:" + Space + "+|(?=--)|$)", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>The sentences of <paramref name="text"/>.</summary>
    public static List<string> Tokenize(string text) => SpanTokenize(text).Select(s => Slice(text, s.Start, s.End)).ToList();

    /// <summary>The number of sentences (IFEval's <c>count_sentences</c>).</summary>
    public static int Count(string text) => SpanTokenize(text).Count;

    /// <summary>Sentence spans as (start, end) UTF-16 offsets.</summary>
    public static List<(int Start, int End)> SpanTokenize(string text)
    {
        var slices = SlicesFromText(text);
        var result = new List<(int, int)>();
        int realign = 0;
        for (int k = 0; k < slices.Count; k++)
        {
            var s1 = (Start: slices[k].Start + realign, slices[k].End);
            if (k + 1 == slices.Count)
            {
                if (Slice(text, s1.Start, s1.End).Length > 0) result.Add(s1);
                continue;
            }
            var s2 = slices[k + 1];
            var m = BoundaryRealignment.Match(Slice(text, s2.Start, s2.End));
            if (m.Success)
            {
                result.Add((s1.Start, s2.Start + PythonText.RStrip(m.Value).Length));
                realign = m.Length;
            }
            else
            {
                realign = 0;
                if (Slice(text, s1.Start, s1.End).Length > 0) result.Add(s1);
            }
        }
        return result;
    }

    // Python slicing: clipped to the string, empty when start >= end.
    private static string Slice(string text, int start, int end)
    {
        start = Math.Clamp(start, 0, text.Length);
        end = Math.Clamp(end, 0, text.Length);
        return end > start ? text[start..end] : "";
    }

    private static List<(int Start, int End)> SlicesFromText(string text)
    {
        var slices = new List<(int, int)>();
        int lastBreak = 0;
        foreach (var (match, context) in PotentialEndContexts(text))
        {
            if (!ContainsSentenceBreak(context)) continue;
            slices.Add((lastBreak, match.Index + match.Length));
            var next = match.Groups["next_tok"];
            lastBreak = next.Success && next.Length > 0 ? next.Index : match.Index + match.Length;
        }
        slices.Add((lastBreak, PythonText.RStrip(text).Length));
        return slices;
    }

    // _match_potential_end_contexts: each candidate with the word before it, overlapping candidates merged.
    private static IEnumerable<(Match Match, string Context)> PotentialEndContexts(string text)
    {
        (int Start, int Stop) previousSlice = (0, 0);
        Match? previous = null;
        foreach (Match match in PeriodContext.Matches(text))
        {
            string before = Slice(text, previousSlice.Stop, match.Index);
            int afterLastSpace = LastAsciiWhitespace(before);
            afterLastSpace = afterLastSpace != 0 ? afterLastSpace + previousSlice.Stop + 1 : previousSlice.Start;
            var previousWord = (Start: afterLastSpace, Stop: match.Index);
            if (previous is not null && previousSlice.Stop <= previousWord.Start)
            {
                yield return (previous, Slice(text, previousSlice.Start, previousSlice.Stop) + previous.Value + previous.Groups["after_tok"].Value);
            }
            previous = match;
            previousSlice = previousWord;
        }
        if (previous is not null)
        {
            yield return (previous, Slice(text, previousSlice.Start, previousSlice.Stop) + previous.Value + previous.Groups["after_tok"].Value);
        }
    }

    // string.whitespace is ASCII only; 0 both for "none" and for index 0, as in punkt.py.
    private static int LastAsciiWhitespace(string text)
    {
        for (int i = text.Length - 1; i >= 0; i--)
        {
            if (text[i] is ' ' or '\t' or '\n' or '\r' or '\x0b' or '\x0c') return i;
        }
        return 0;
    }

    // text_contains_sentbreak: a token marked as a break that is not the last token.
    private static bool ContainsSentenceBreak(string text)
    {
        var tokens = Annotate(TokenizeWords(text));
        for (int i = 0; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].SentBreak) return true;
        }
        return false;
    }

    private static List<PunktToken> TokenizeWords(string text)
    {
        var tokens = new List<PunktToken>();
        bool paraStart = false;
        foreach (var line in text.Split('\n'))
        {
            if (PythonText.Strip(line).Length == 0)
            {
                paraStart = true;
                continue;
            }
            bool first = true;
            foreach (Match m in WordTokenizer.Matches(line))
            {
                tokens.Add(new PunktToken(m.Value) { ParaStart = first && paraStart, LineStart = first });
                if (first) paraStart = false;
                first = false;
            }
        }
        return tokens;
    }

    private static List<PunktToken> Annotate(List<PunktToken> tokens)
    {
        var p = PunktParameters.Instance;
        foreach (var t in tokens) FirstPass(t, p);
        for (int i = 0; i + 1 < tokens.Count; i++) SecondPass(tokens[i], tokens[i + 1], p);
        return tokens;
    }

    private static void FirstPass(PunktToken t, PunktParameters p)
    {
        string tok = t.Tok;
        if (tok is "." or "?" or "!") t.SentBreak = true;
        else if (t.IsEllipsis) t.Ellipsis = true;
        else if (t.PeriodFinal && !tok.EndsWith("..", StringComparison.Ordinal))
        {
            string word = tok[..^1].ToLowerInvariant();
            if (p.AbbrevTypes.Contains(word) || p.AbbrevTypes.Contains(word.Split('-')[^1])) t.Abbr = true;
            else t.SentBreak = true;
        }
    }

    private static void SecondPass(PunktToken t1, PunktToken t2, PunktParameters p)
    {
        if (!t1.PeriodFinal) return;
        string type = t1.TypeNoPeriod;
        string nextType = t2.TypeNoSentPeriod;
        bool initial = t1.IsInitial;
        if (p.Collocations.Contains((type, nextType)))
        {
            t1.SentBreak = false;
            t1.Abbr = true;
            return;
        }
        if ((t1.Abbr || t1.Ellipsis) && !initial)
        {
            var starter = Ortho(t2, p);
            if (starter == OrthoVerdict.Starter)
            {
                t1.SentBreak = true;
                return;
            }
            if (t2.FirstUpper && p.SentStarters.Contains(nextType))
            {
                t1.SentBreak = true;
                return;
            }
        }
        if (initial || type == "##number##")
        {
            var starter = Ortho(t2, p);
            if (starter == OrthoVerdict.NotStarter)
            {
                t1.SentBreak = false;
                t1.Abbr = true;
                return;
            }
            if (starter == OrthoVerdict.Unknown && initial && t2.FirstUpper && (p.Ortho(nextType) & PunktParameters.Lc) == 0)
            {
                t1.SentBreak = false;
                t1.Abbr = true;
            }
        }
    }

    private enum OrthoVerdict { Starter, NotStarter, Unknown }

    // _ortho_heuristic: is the token the first of a sentence, judged by the cases its type was seen with in training?
    private static OrthoVerdict Ortho(PunktToken t, PunktParameters p)
    {
        if (t.Tok is ";" or ":" or "," or "." or "!" or "?") return OrthoVerdict.NotStarter;
        int context = p.Ortho(t.TypeNoSentPeriod);
        if (t.FirstUpper && (context & PunktParameters.Lc) != 0 && (context & PunktParameters.MidUc) == 0) return OrthoVerdict.Starter;
        if (t.FirstLower && ((context & PunktParameters.Uc) != 0 || (context & PunktParameters.BegLc) == 0)) return OrthoVerdict.NotStarter;
        return OrthoVerdict.Unknown;
    }
}

/// <summary>punkt.py's <c>PunktToken</c>: the token, its case-normalised type and the annotations of the two passes.</summary>
internal sealed partial class PunktToken
{
    public PunktToken(string tok)
    {
        Tok = tok;
        // tok.lower(): .NET's invariant lower-casing differs from Python's only for İ and a final Σ, neither of which
        // occurs in the English model's types, so no decision changes.
        Type = Numeric().IsMatch(tok) ? "##number##" : tok.ToLowerInvariant();
        PeriodFinal = tok.EndsWith('.');
    }

    public string Tok { get; }
    public string Type { get; }
    public bool PeriodFinal { get; }
    public bool ParaStart { get; init; }
    public bool LineStart { get; init; }
    public bool SentBreak { get; set; }
    public bool Abbr { get; set; }
    public bool Ellipsis { get; set; }

    public string TypeNoPeriod => Type.Length > 1 && Type[^1] == '.' ? Type[..^1] : Type;
    public string TypeNoSentPeriod => SentBreak ? TypeNoPeriod : Type;
    public bool FirstUpper => PythonText.FirstIsUpper(Tok);
    public bool FirstLower => PythonText.FirstIsLower(Tok);
    public bool IsEllipsis => EllipsisPattern().IsMatch(Tok);
    public bool IsInitial => Initial().IsMatch(Tok);

    // Python's re.match(...$): anchored at the start; $ also matches before a final newline (tokens have none).
    [GeneratedRegex(@"^-?[.,]?\d[\d,.\-]*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex Numeric();

    [GeneratedRegex(@"^\.\.+$", RegexOptions.CultureInvariant)]
    private static partial Regex EllipsisPattern();

    [GeneratedRegex(@"^" + PythonRegex.WordNotDigit + @"\.$", RegexOptions.CultureInvariant)]
    private static partial Regex Initial();
}
