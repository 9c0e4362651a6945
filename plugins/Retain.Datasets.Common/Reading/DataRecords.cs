using Retain.Data;

namespace Retain.Datasets.Reading;

/// <summary>A row of a CSV or JSON data file, read by field name.</summary>
/// <param name="Line">1-based line where the row starts.</param>
/// <param name="Field">
/// The field's text: null when the row lacks it (or it is JSON null); throws <see cref="FormatException"/> naming the
/// field when a JSON field holds an array or object.
/// </param>
public sealed record DataRecord(int Line, Func<string, string?> Field);

/// <summary>
/// Reads tabular rows from CSV (<c>.csv</c>, with a header) or JSON (<c>.jsonl</c>, <c>.json</c>: JSON Lines or one
/// array of objects), so a dataset accepts either export of the same schema. Malformed rows go to the
/// <see cref="RowIssues"/>; a JSON row that is not an object, or lacks a required field, is malformed.
/// </summary>
public static class DataRecords
{
    /// <summary>Whether the path names a CSV file (else it is read as JSON).</summary>
    public static bool IsCsv(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads every usable row, counting rows in <paramref name="report"/>.</summary>
    public static IEnumerable<DataRecord> Read(string path, IReadOnlyCollection<string> requiredFields, RowIssues issues, DataReport report)
    {
        if (IsCsv(path))
        {
            foreach (var row in CsvTable.Read(path, requiredFields, issues, report)) yield return new DataRecord(row.Line, row.Get);
            yield break;
        }
        foreach (var record in JsonRecords.Read(path, report))
        {
            if (record.Error is not null)
            {
                issues.Reject(path, record.Line, record.Error);
                continue;
            }
            if (record.Value.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                issues.Reject(path, record.Line, $"the row is a JSON {JsonFields.Kind(record.Value)}, not an object");
                continue;
            }
            var missing = requiredFields.Where(f => !record.Value.TryGetProperty(f, out _)).ToList();
            if (missing.Count > 0)
            {
                issues.Reject(path, record.Line, $"the row lacks the field(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}");
                continue;
            }
            var value = record.Value;
            yield return new DataRecord(record.Line, name => JsonFields.OptionalString(value, name));
        }
    }
}
