using System.Text.RegularExpressions;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>detectable_content:*</c>.</summary>
internal static partial class ContentInstructions
{
    /// <summary><c>number_placeholders</c>: <c>[...]</c> spans, at least N.</summary>
    public static IInstruction Placeholders(InstructionArgs a)
    {
        int n = a.Int("num_placeholders");
        return new Check(r => Placeholder().Matches(r).Count >= n);
    }

    /// <summary><c>postscript</c>: a line (multiline mode) holding the marker, in the lower-cased response.</summary>
    public static IInstruction Postscript(InstructionArgs a)
    {
        string marker = PythonText.Strip(a.String("postscript_marker"));
        string pattern = marker switch
        {
            "P.P.S" => @"\s*p\.\s?p\.\s?s.*$",
            "P.S." => @"\s*p\.\s?s\..*$",
            _ => @"\s*" + marker.ToLowerInvariant() + ".*$",
        };
        var regex = new Regex(pattern, RegexOptions.Multiline | RegexOptions.CultureInvariant);
        return new Check(r => regex.IsMatch(r.ToLowerInvariant()));
    }

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Placeholder();
}
