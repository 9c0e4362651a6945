using System.Globalization;
using System.Text.Json;

namespace Retain.Hosting.Reports.Summaries;

/// <summary>
/// The most frequent of a set of answers and its share: for a checkpoint's domain test responses (a checkpoint that
/// answers one string to ≥ 90 % of items is flagged), or for the test set's references (the constant-answer baseline).
/// </summary>
public sealed record AnswerShare(string Answer, double Share, int Count, int Distinct)
{
    /// <summary>A share at or above this flags a checkpoint as giving (nearly) a constant answer.</summary>
    public const double ConstantThreshold = 0.9;

    /// <summary>Whether one answer covers at least <see cref="ConstantThreshold"/> of the items.</summary>
    public bool IsConstant => Count > 0 && Share >= ConstantThreshold;

    /// <summary>The most frequent answer (ties: ordinal order) and its share; null for no answers.</summary>
    public static AnswerShare? Of(IReadOnlyList<string> answers)
    {
        if (answers.Count == 0) return null;
        var groups = answers.GroupBy(a => a, StringComparer.Ordinal).ToList();
        var top = groups.OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First();
        return new AnswerShare(top.Key, (double)top.Count() / answers.Count, answers.Count, groups.Count);
    }

    /// <summary>
    /// Reads the per-item records a domain evaluation wrote (<c>domain-test.jsonl</c>): the <paramref name="field"/>
    /// of each line, trimmed (the first of <paramref name="fields"/> that holds a string: <c>extracted</c> then
    /// <c>response</c> for answers, <c>reference</c> for the test set); null when the file is absent.
    /// </summary>
    public static AnswerShare? FromRecords(string path, params string[] fields)
    {
        if (!File.Exists(path)) return null;
        var answers = new List<string>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var document = JsonDocument.Parse(text);
                var value = fields.Select(f => document.RootElement.TryGetProperty(f, out var element) && element.ValueKind == JsonValueKind.String ? element.GetString() : null)
                    .FirstOrDefault(v => v is not null) ?? "";
                answers.Add(value.Trim());
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: malformed record: {e.Message}", e);
            }
        }
        return Of(answers);
    }

    /// <summary><c>'Max' for 93% of 300 items</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"'{Answer}' to {Share * 100:0}% of {Count} items");
}
