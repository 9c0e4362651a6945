using System.Text.RegularExpressions;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>
/// lm-eval's <c>exact_match</c> with GSM8K's settings: delete <c>,</c>, <c>$</c>, everything through the last
/// <c>"#### "</c> and a final <c>.</c> from both strings (in that order), lower-case, compare.
/// </summary>
public static partial class ExactMatch
{
    /// <summary>Whether the extracted prediction equals the reference after normalisation.</summary>
    public static bool Matches(string prediction, string reference) => Normalize(prediction) == Normalize(reference);

    /// <summary>The string after GSM8K's <c>regexes_to_ignore</c> and lower-casing.</summary>
    public static string Normalize(string text)
    {
        text = Comma().Replace(text, "");
        text = Dollar().Replace(text, "");
        text = ThroughHashes().Replace(text, "");
        text = FinalPeriod().Replace(text, "");
        return text.ToLowerInvariant();
    }

    [GeneratedRegex(",")]
    private static partial Regex Comma();

    [GeneratedRegex(@"\$")]
    private static partial Regex Dollar();

    [GeneratedRegex("(?s).*#### ")]
    private static partial Regex ThroughHashes();

    [GeneratedRegex(@"\.$")]
    private static partial Regex FinalPeriod();
}
