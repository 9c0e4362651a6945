using System.Text.RegularExpressions;

namespace Retain.Datasets.Esci;

/// <summary>
/// The four ESCI classes: the data's letters (<c>E S C I</c>), the paper's numbers (0 = Exact, 1 = Substitute,
/// 2 = Complement, 3 = Irrelevant) and the class names used in reports.
/// </summary>
public static partial class EsciLabels
{
    /// <summary>Class names by the paper's number.</summary>
    public static readonly IReadOnlyList<string> Names = ["Exact", "Substitute", "Complement", "Irrelevant"];

    /// <summary>The label reports use for an answer that names no class.</summary>
    public const string Invalid = "invalid";

    /// <summary>
    /// The class name of a label written as a letter (<c>E</c>), a number (<c>0</c>) or a name (<c>Exact</c>),
    /// any case, surrounding whitespace ignored; null for anything else.
    /// </summary>
    public static string? Parse(string text)
    {
        string t = text.Trim();
        if (t.Length == 1)
        {
            int index = "ESCI".IndexOf(char.ToUpperInvariant(t[0]));
            if (index < 0) index = "0123".IndexOf(t[0]);
            return index < 0 ? null : Names[index];
        }
        return Names.FirstOrDefault(n => n.Equals(t, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The paper's number of a class name.</summary>
    public static int Number(string name)
    {
        int index = Names.ToList().IndexOf(name);
        return index >= 0 ? index : throw new ArgumentException($"'{name}' is not an ESCI class.", nameof(name));
    }

    /// <summary>
    /// The label in the last <c>&lt;answer&gt;…&lt;/answer&gt;</c> of a response, written as a number, letter or name
    /// (optionally in brackets); an answer at the very end may lack its closing tag (generation stopped there). Returns
    /// the raw label text, or null when no answer names a class.
    /// </summary>
    public static string? ExtractAnswer(string response)
    {
        var matches = AnswerPattern().Matches(response);
        return matches.Count == 0 ? null : matches[^1].Groups[1].Value;
    }

    [GeneratedRegex(@"<answer>\s*\[?\s*([0-3]|[ESCI]|Exact|Substitute|Complement|Irrelevant)\s*\]?\s*(?:</answer>|\z)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerPattern();
}
