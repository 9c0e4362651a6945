using System.Text.RegularExpressions;
using Retain.Benchmarks.IFEval.Text;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>detectable_format:*</c>.</summary>
internal static partial class FormatInstructions
{
    private static readonly string[] ConstrainedResponses = ["My answer is yes.", "My answer is no.", "My answer is maybe."];

    /// <summary><c>number_bullet_lists</c>: lines starting with <c>*</c> (not <c>**</c>) or <c>-</c>, exactly N.</summary>
    public static IInstruction BulletLists(InstructionArgs a)
    {
        int n = a.Int("num_bullets");
        return new Check(r => StarBullet().Matches(r).Count + DashBullet().Matches(r).Count == n);
    }

    /// <summary><c>constrained_response</c>: contains one of the three fixed answers.</summary>
    public static IInstruction ConstrainedResponse(InstructionArgs a) =>
        new Check(r => ConstrainedResponses.Any(PythonText.Strip(r).Contains));

    /// <summary><c>number_highlighted_sections</c>: non-empty <c>*x*</c> plus non-empty <c>**x**</c> spans, at least N.</summary>
    public static IInstruction Highlights(InstructionArgs a)
    {
        int n = a.Int("num_highlights");
        return new Check(r =>
        {
            int count = SingleHighlight().Matches(r).Count(m => PythonText.Strip(m.Value.Trim('*')).Length > 0);
            count += DoubleHighlight().Matches(r).Count(m => PythonText.Strip(m.Value[2..^2]).Length > 0);
            return count >= n;
        });
    }

    /// <summary><c>multiple_sections</c>: splits on <c>\s?SPLITTER\s?\d+\s?</c>; pieces − 1 at least N.</summary>
    public static IInstruction Sections(InstructionArgs a)
    {
        var splitter = new Regex(@"\s?" + PythonText.Strip(a.String("section_spliter")) + @"\s?\d+\s?", RegexOptions.CultureInvariant);
        int n = a.Int("num_sections");
        return new Check(r => splitter.Split(r).Length - 1 >= n);
    }

    /// <summary><c>json_format</c>: the response, without a surrounding code fence, is JSON Python's json.loads accepts.</summary>
    public static IInstruction Json(InstructionArgs a) => new Check(r =>
    {
        string value = PythonText.Strip(r);
        foreach (var prefix in new[] { "```json", "```Json", "```JSON", "```" })
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal)) value = value[prefix.Length..];
        }
        if (value.EndsWith("```", StringComparison.Ordinal)) value = value[..^3];
        return PythonJson.IsValid(PythonText.Strip(value));
    });

    /// <summary><c>title</c>: some <c>&lt;&lt;title&gt;&gt;</c> with non-blank content.</summary>
    public static IInstruction Title(InstructionArgs a) =>
        new Check(r => Titles().Matches(r).Any(m => PythonText.Strip(m.Value.TrimStart('<').TrimEnd('>')).Length > 0));

    [GeneratedRegex(@"^\s*\*[^\*].*$", RegexOptions.Multiline)]
    private static partial Regex StarBullet();

    [GeneratedRegex(@"^\s*-.*$", RegexOptions.Multiline)]
    private static partial Regex DashBullet();

    [GeneratedRegex(@"\*[^\n\*]*\*")]
    private static partial Regex SingleHighlight();

    [GeneratedRegex(@"\*\*[^\n\*]*\*\*")]
    private static partial Regex DoubleHighlight();

    [GeneratedRegex(@"<<[^\n]+>>")]
    private static partial Regex Titles();
}
