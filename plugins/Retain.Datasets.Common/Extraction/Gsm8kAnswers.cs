using System.Text.RegularExpressions;

namespace Retain.Datasets.Extraction;

/// <summary>
/// GSM8K answer extraction and scoring exactly as lm-evaluation-harness v0.4.9.1's <c>gsm8k</c> task: the
/// <c>strict-match</c> filter (<c>#### (\-?[0-9\.\,]+)</c>, first match), the <c>flexible-extract</c> filter
/// (<c>(-?[$0-9.,]{2,})|(-?[0-9]+)</c>, last match) and <c>exact_match</c> with <c>ignore_case</c> and
/// <c>regexes_to_ignore</c> = <c>,</c>, <c>\$</c>, <c>(?s).*#### </c>, <c>\.$</c> applied to prediction and reference.
/// </summary>
public static class Gsm8kAnswers
{
    /// <summary>The strict-match filter.</summary>
    public static RegexFilter Strict { get; } = new(@"#### (\-?[0-9\.\,]+)", 0);

    /// <summary>The flexible-extract filter.</summary>
    public static RegexFilter Flexible { get; } = new(@"(-?[$0-9.,]{2,})|(-?[0-9]+)", -1);

    private static readonly Regex[] IgnoredPatterns =
    [
        new(",", RegexOptions.CultureInvariant),
        new(@"\$", RegexOptions.CultureInvariant),
        new("(?s).*#### ", RegexOptions.CultureInvariant),
        new(@"\.$", RegexOptions.CultureInvariant),
    ];

    /// <summary>exact_match's normalisation: delete every ignored pattern in order, then lower-case.</summary>
    public static string Normalize(string text)
    {
        foreach (var pattern in IgnoredPatterns) text = pattern.Replace(text, "");
        return text.ToLowerInvariant();
    }

    /// <summary>exact_match of a filtered prediction against a reference (the full GSM8K answer, or a bare number).</summary>
    public static bool ExactMatch(string prediction, string reference) => Normalize(prediction) == Normalize(reference);

    /// <summary>The number after the last <c>#### </c> of a GSM8K solution, as exact_match sees the reference.</summary>
    public static string FinalAnswer(string solution) => Normalize(solution).Trim();
}
