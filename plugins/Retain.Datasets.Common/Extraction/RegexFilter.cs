using System.Text.RegularExpressions;

namespace Retain.Datasets.Extraction;

/// <summary>
/// lm-evaluation-harness's <c>RegexFilter</c> (v0.4.9.1): collect all non-overlapping matches; none gives the
/// fallback; else take the match at <c>groupSelect</c> (Python indexing, -1 = last); its value is the whole match when
/// the pattern has no groups, group 1 when it has one, else the first non-empty group (the fallback when all are
/// empty); surrounding whitespace is stripped.
/// </summary>
public sealed class RegexFilter(string pattern, int groupSelect, string fallback = RegexFilter.Invalid)
{
    /// <summary>lm-eval's fallback value, scored as wrong.</summary>
    public const string Invalid = "[invalid]";

    private readonly Regex _regex = new(pattern, RegexOptions.CultureInvariant);

    /// <summary>The filtered value of <paramref name="response"/>.</summary>
    public string Apply(string response)
    {
        var matches = _regex.Matches(response);
        if (matches.Count == 0) return fallback;
        int index = groupSelect < 0 ? matches.Count + groupSelect : groupSelect;
        if (index < 0 || index >= matches.Count) return fallback;
        var match = matches[index];
        int groups = match.Groups.Count - 1;
        string value;
        if (groups == 0) value = match.Value;
        else if (groups == 1) value = match.Groups[1].Value;
        else
        {
            string? first = null;
            for (int g = 1; g <= groups && first is null; g++)
            {
                if (match.Groups[g].Value.Length > 0) first = match.Groups[g].Value;
            }
            if (first is null) return fallback;
            value = first;
        }
        return value.Trim();
    }
}
