using System.Text.RegularExpressions;
using Retain.Data;
using Retain.Datasets.Reading;

namespace Retain.Datasets.MathProblems;

/// <summary>A math problem with its worked solution and final answer, from any of the math files.</summary>
/// <param name="Id">Stable id within the dataset.</param>
/// <param name="Question">The problem.</param>
/// <param name="Solution">The worked solution (the SFT target).</param>
/// <param name="FinalAnswer">The final answer graded against.</param>
/// <param name="Source">file:line.</param>
/// <param name="Type">MetaMathQA's type, or empty.</param>
public sealed record MathProblem(string Id, string Question, string Solution, string FinalAnswer, string Source, string Type);

/// <summary>Reads GSM8K and MetaMathQA files into <see cref="MathProblem"/>s, rejecting rows it cannot use.</summary>
public static partial class MathFiles
{
    /// <summary>
    /// GSM8K JSONL: <c>question</c>, <c>answer</c> (the solution ending in <c>#### N</c>). The final answer is what
    /// follows the last <c>#### </c>; a row without one, or with an empty question or answer, is rejected.
    /// </summary>
    public static List<MathProblem> ReadGsm8k(string path, DataSplit split, RowIssues issues, DataReport report)
    {
        var problems = new List<MathProblem>();
        var files = Files(path, split, ["question", "answer"]);
        foreach (var record in DataSources.ReadJson(files, report))
        {
            string name = Path.GetFileNameWithoutExtension(record.File);
            if (record.Error is not null)
            {
                issues.Reject(record.File, record.Line, record.Error);
                continue;
            }
            string? question, answer;
            try
            {
                question = JsonFields.OptionalString(record.Value, "question");
                answer = JsonFields.OptionalString(record.Value, "answer");
            }
            catch (FormatException e)
            {
                issues.Reject(record.File, record.Line, e.Message);
                continue;
            }
            if (string.IsNullOrWhiteSpace(question)) { issues.Reject(record.File, record.Line, "missing or empty 'question'"); continue; }
            if (string.IsNullOrWhiteSpace(answer)) { issues.Reject(record.File, record.Line, "empty target: missing or empty 'answer'"); continue; }
            int marker = answer.LastIndexOf("#### ", StringComparison.Ordinal);
            string final = marker < 0 ? "" : answer[(marker + 5)..].Trim();
            if (final.Length == 0) { issues.Reject(record.File, record.Line, "the answer has no final '#### N' line to grade against"); continue; }
            problems.Add(new MathProblem($"{name}:{record.Line}", question, answer, final, $"{Path.GetFileName(record.File)}:{record.Line}", ""));
        }
        return problems;
    }

    /// <summary>
    /// MetaMathQA (JSON array or JSONL): <c>query</c>, <c>response</c>, <c>type</c>. The final answer is what follows
    /// the last <c>The answer is:</c> in the response; rows of other types than <paramref name="types"/> (when given) are
    /// left out and counted in a note, rows without a final answer are rejected.
    /// </summary>
    public static List<MathProblem> ReadMetaMathQa(string path, IReadOnlyCollection<string> types, RowIssues issues, DataReport report)
    {
        var problems = new List<MathProblem>();
        var keep = new HashSet<string>(types, StringComparer.Ordinal);
        int otherTypes = 0;
        var files = Files(path, DataSplit.Train, ["query", "response"]);
        foreach (var record in DataSources.ReadJson(files, report))
        {
            string name = Path.GetFileNameWithoutExtension(record.File);
            if (record.Error is not null)
            {
                issues.Reject(record.File, record.Line, record.Error);
                continue;
            }
            string? query, response, type;
            try
            {
                query = JsonFields.OptionalString(record.Value, "query");
                response = JsonFields.OptionalString(record.Value, "response");
                type = JsonFields.OptionalString(record.Value, "type") ?? "";
            }
            catch (FormatException e)
            {
                issues.Reject(record.File, record.Line, e.Message);
                continue;
            }
            if (keep.Count > 0 && !keep.Contains(type)) { otherTypes++; continue; }
            if (string.IsNullOrWhiteSpace(query)) { issues.Reject(record.File, record.Line, "missing or empty 'query'"); continue; }
            if (string.IsNullOrWhiteSpace(response)) { issues.Reject(record.File, record.Line, "empty target: missing or empty 'response'"); continue; }
            var answers = AnswerIsPattern().Matches(response);
            string final = answers.Count == 0 ? "" : answers[^1].Groups[1].Value.Trim();
            if (final.Length == 0) { issues.Reject(record.File, record.Line, "the response has no final 'The answer is: ...' to grade against"); continue; }
            problems.Add(new MathProblem($"{name}:{record.Line}", query, response, final, $"{Path.GetFileName(record.File)}:{record.Line}", type));
        }
        if (otherTypes > 0) report.Notes.Add($"{otherTypes} rows of {path} have a type outside Types ({string.Join(", ", keep)}) and were left out by configuration.");
        return problems;
    }

    /// <summary>The files of <paramref name="path"/> for <paramref name="split"/> (a file, or a dataset folder's split files), checked for the columns.</summary>
    private static IReadOnlyList<string> Files(string path, DataSplit split, IReadOnlyCollection<string> columns)
    {
        var files = DataFiles.Require(path, split);
        foreach (var file in files) DataSources.RequireColumns(file, "", columns);
        return files;
    }

    /// <summary>The solution without GSM8K's calculator annotations (<c>&lt;&lt;48/2=24&gt;&gt;</c>).</summary>
    public static string WithoutAnnotations(string solution) => AnnotationPattern().Replace(solution, "");

    [GeneratedRegex(@"The answer is:?\s*(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex AnswerIsPattern();

    [GeneratedRegex(@"<<[^<>]*>>")]
    private static partial Regex AnnotationPattern();
}
