using System.Text;
using Retain.Data;

namespace Retain.Datasets.Reading;

/// <summary>A data row of a CSV file with a header: values by column name, and the line it starts on.</summary>
public sealed class CsvRow
{
    private readonly IReadOnlyDictionary<string, int> _columns;
    private readonly IReadOnlyList<string> _fields;

    internal CsvRow(int line, IReadOnlyDictionary<string, int> columns, IReadOnlyList<string> fields)
    {
        Line = line;
        _columns = columns;
        _fields = fields;
    }

    /// <summary>1-based physical line where the row starts.</summary>
    public int Line { get; }

    /// <summary>The value in <paramref name="column"/>; the column must be one the table was opened with.</summary>
    public string this[string column] => _fields[_columns[column]];

    /// <summary>The value in <paramref name="column"/>, or null when the file has no such column.</summary>
    public string? Get(string column) => _columns.TryGetValue(column, out int index) ? _fields[index] : null;
}

/// <summary>
/// Reads a CSV file whose first record is a header. Rows whose field count differs from the header's, and malformed
/// records, go to the caller's <see cref="RowIssues"/>; a missing required column is an error for the whole file.
/// </summary>
public static class CsvTable
{
    /// <summary>Reads the data rows of <paramref name="path"/> (UTF-8, with or without BOM).</summary>
    /// <param name="path">The resolved file path, used in messages.</param>
    /// <param name="requiredColumns">Columns that must be present in the header.</param>
    /// <param name="issues">Receives malformed rows (and fails the load when the policy says so).</param>
    /// <param name="report">Counts rows read.</param>
    public static IEnumerable<CsvRow> Read(string path, IReadOnlyCollection<string> requiredColumns, RowIssues issues, DataReport report)
    {
        var invalid = new InvalidUtf8.Cursor(InvalidUtf8.Find(path));
        using var reader = OpenText(path);
        IReadOnlyDictionary<string, int>? columns = null;
        int headerCount = 0;
        foreach (var (parsed, lastLine) in WithLastLines(CsvRecords.Parse(reader)))
        {
            var record = parsed;
            // Decoding turned bad bytes into U+FFFD: such a record is rejected, never read as if it were intact.
            if (!invalid.None && invalid.Within(record.Line, lastLine) is { } bad) record = record with { Fields = [], Error = bad.Describe(record.Line) };
            if (columns is null)
            {
                if (record.Error is not null) throw new DataException($"{path}:{record.Line}: the header cannot be parsed: {record.Error}.");
                columns = Header(path, record, requiredColumns);
                headerCount = record.Fields.Count;
                continue;
            }
            report.RowsRead++;
            if (record.Error is not null)
            {
                issues.Reject(path, record.Line, record.Error.StartsWith("invalid UTF-8", StringComparison.Ordinal) ? record.Error : $"malformed CSV: {record.Error}");
                continue;
            }
            if (record.Fields.Count != headerCount)
            {
                issues.Reject(path, record.Line, $"the row has {record.Fields.Count} fields but the header has {headerCount}");
                continue;
            }
            yield return new CsvRow(record.Line, columns, record.Fields);
        }
        if (columns is null) throw new DataException($"{path}: the file is empty; a CSV header with the columns {string.Join(", ", requiredColumns)} is expected.");
    }

    /// <summary>Each record with the last physical line it may span: the line before the next record starts (the end for the last).</summary>
    private static IEnumerable<(CsvRecord Record, int LastLine)> WithLastLines(IEnumerable<CsvRecord> records)
    {
        CsvRecord? previous = null;
        foreach (var record in records)
        {
            if (previous is not null) yield return (previous, record.Line - 1);
            previous = record;
        }
        if (previous is not null) yield return (previous, int.MaxValue);
    }

    /// <summary>Opens a text file as UTF-8 (a BOM is honoured); a missing or unreadable file is a <see cref="DataException"/>.</summary>
    public static StreamReader OpenText(string path)
    {
        try
        {
            return new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{path}: cannot open the file: {e.Message}", e);
        }
    }

    private static Dictionary<string, int> Header(string path, CsvRecord header, IReadOnlyCollection<string> required)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < header.Fields.Count; i++)
        {
            var name = header.Fields[i].Trim();
            if (!columns.TryAdd(name, i)) throw new DataException($"{path}:{header.Line}: the header names the column '{name}' twice.");
        }
        var missing = required.Where(c => !columns.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new DataException(
                $"{path}:{header.Line}: the header lacks the column(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}; it has {string.Join(", ", columns.Keys.Select(k => $"'{k}'"))}.");
        }
        return columns;
    }
}
