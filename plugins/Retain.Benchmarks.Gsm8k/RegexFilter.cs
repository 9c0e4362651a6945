using System.Text.RegularExpressions;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>
/// lm-eval's <c>RegexFilter</c>: all non-overlapping matches (Python <c>findall</c>), the one at
/// <see cref="GroupSelect"/> (Python indexing, −1 = last), its single group or first non-empty group, stripped;
/// <c>[invalid]</c> when nothing matches.
/// </summary>
/// <param name="Name">The filter's name, used in metric keys (e.g. <c>strict-match</c>).</param>
/// <param name="Pattern">The regular expression.</param>
/// <param name="GroupSelect">Which match to keep.</param>
public sealed record RegexFilter(string Name, string Pattern, int GroupSelect)
{
    /// <summary>The value lm-eval returns when nothing matches.</summary>
    public const string Fallback = "[invalid]";

    private readonly Regex _regex = new(Pattern, RegexOptions.CultureInvariant);

    /// <summary>The extracted answer, or <see cref="Fallback"/>.</summary>
    public string Apply(string response)
    {
        var matches = _regex.Matches(response);
        if (matches.Count == 0) return Fallback;
        int index = GroupSelect < 0 ? matches.Count + GroupSelect : GroupSelect;
        if (index < 0 || index >= matches.Count) return Fallback;
        var match = matches[index];
        int groups = match.Groups.Count - 1;
        string value;
        if (groups == 0) value = match.Value;
        else if (groups == 1) value = match.Groups[1].Value;
        else
        {
            value = Fallback;
            for (int g = 1; g <= groups; g++)
            {
                if (match.Groups[g].Value.Length > 0) { value = match.Groups[g].Value; break; }
            }
        }
        return PythonText.Strip(value);
    }
}
