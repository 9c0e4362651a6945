using System.Text;
using System.Text.RegularExpressions;

namespace Retain.Datasets.Extraction;

/// <summary>Answer extraction rules shared by the answer-extractor components and the dataset evaluators.</summary>
public static partial class AnswerPatterns
{
    /// <summary>
    /// The last number in the text: an optional minus, digits with optional thousands commas, an optional decimal
    /// part. Commas are removed from the result (<c>"$1,080."</c> gives <c>1080</c>); null when there is none.
    /// </summary>
    public static string? LastNumber(string text)
    {
        var matches = NumberPattern().Matches(text);
        return matches.Count == 0 ? null : matches[^1].Value.Replace(",", "", StringComparison.Ordinal);
    }

    /// <summary>
    /// The value of the last <c>"answer": …}</c> in a JSON-ish response, read as MedCalc-Bench's run.py reads it:
    /// the last match of <c>[Aa]nswer":\s*(.*?)\}</c> after collapsing whitespace runs to one space, stripped of
    /// surrounding whitespace and then of surrounding double quotes; null when there is none.
    /// </summary>
    public static string? JsonAnswer(string text)
    {
        var matches = JsonAnswerPattern().Matches(CollapseWhitespace(text));
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value.Trim().Trim('"');
    }

    /// <summary>The content of the last <c>\boxed{…}</c> (or <c>\fbox{…}</c>), braces balanced; null when there is none.</summary>
    public static string? Boxed(string text)
    {
        int start = Math.Max(text.LastIndexOf(@"\boxed{", StringComparison.Ordinal), text.LastIndexOf(@"\fbox{", StringComparison.Ordinal));
        while (start >= 0)
        {
            int open = text.IndexOf('{', start);
            int depth = 0;
            for (int i = open; i < text.Length; i++)
            {
                if (text[i] == '{') depth++;
                else if (text[i] == '}' && --depth == 0) return text[(open + 1)..i].Trim();
            }
            // Unbalanced: try an earlier box.
            int boxed = start == 0 ? -1 : text.LastIndexOf(@"\boxed{", start - 1, StringComparison.Ordinal);
            int fbox = start == 0 ? -1 : text.LastIndexOf(@"\fbox{", start - 1, StringComparison.Ordinal);
            start = Math.Max(boxed, fbox);
        }
        return null;
    }

    /// <summary>The trimmed content of the last <c>&lt;answer&gt;…&lt;/answer&gt;</c> (case-insensitive tags); null when there is none.</summary>
    public static string? AnswerTag(string text)
    {
        var matches = AnswerTagPattern().Matches(text);
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value.Trim();
    }

    /// <summary>Every run of whitespace replaced by one space (Python <c>re.sub(r"\s+", " ", text)</c>).</summary>
    public static string CollapseWhitespace(string text) => Whitespace().Replace(text, " ");

    /// <summary>
    /// Compares a prediction with a reference: trimmed, optionally case-folded, and, when both read as numbers once
    /// <c>,</c>, <c>$</c> and a trailing <c>.</c> are removed, compared as decimal numbers (<c>"1,080.00"</c> equals <c>"1080"</c>).
    /// </summary>
    public static bool Matches(string prediction, string reference, bool ignoreCase, bool compareNumbers)
    {
        var p = prediction.Trim();
        var r = reference.Trim();
        if (compareNumbers && AsNumber(p) is { } pn && AsNumber(r) is { } rn) return pn == rn;
        return string.Equals(p, r, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private static decimal? AsNumber(string text)
    {
        var cleaned = new StringBuilder(text).Replace(",", "").Replace("$", "").ToString().Trim();
        if (cleaned.EndsWith('.')) cleaned = cleaned[..^1];
        return NumericText().IsMatch(cleaned)
            && decimal.TryParse(cleaned, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value : null;
    }

    [GeneratedRegex(@"-?[0-9][0-9,]*(?:\.[0-9]+)?", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^[+-]?[0-9]+(?:\.[0-9]*)?$|^[+-]?\.[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericText();

    [GeneratedRegex(@"[Aa]nswer"":\s*(.*?)\}", RegexOptions.CultureInvariant)]
    private static partial Regex JsonAnswerPattern();

    [GeneratedRegex(@"<answer>(.*?)</answer>", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex AnswerTagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
