using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading.Tables;

namespace Retain.Datasets.Reading;

/// <summary>A JSON row of any data file, with the file it came from.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">The 1-based line (JSON, JSONL) or row number (Parquet, Arrow).</param>
/// <param name="Value">The row; default when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the row could not be read, or null.</param>
public sealed record SourceRecord(string File, int Line, JsonElement Value, string? Error);

/// <summary>A row read by field name from any data file, with the file it came from.</summary>
/// <param name="File">The file.</param>
/// <param name="Line">The 1-based line (CSV, JSON) or row number (Parquet, Arrow).</param>
/// <param name="Field">The field's text, or null (see <see cref="DataRecord"/> and <see cref="TableRow.Field"/>).</param>
public sealed record SourceRow(string File, int Line, Func<string, string?> Field);

/// <summary>
/// Reads rows from any file a dataset accepts, so every dataset takes the same kinds of data: JSON Lines and JSON
/// arrays (<see cref="JsonRecords"/>), CSV (<see cref="CsvTable"/>), Parquet (<see cref="ParquetTable"/>) and Arrow
/// IPC (<see cref="ArrowTable"/>), one file or the files <see cref="DataFiles"/> finds in a dataset folder. A Parquet
/// or Arrow file that lacks a required column is an error naming the columns it has; rows are counted in the
/// <see cref="DataReport"/>.
/// </summary>
public static class DataSources
{
    /// <summary>Whether the file is columnar (Parquet or Arrow IPC).</summary>
    public static bool IsTable(string path) => IsParquet(path) || IsArrow(path);

    /// <summary>The rows of a Parquet or Arrow file.</summary>
    public static IEnumerable<TableRow> ReadTable(string path) => IsParquet(path) ? ParquetTable.Read(path) : ArrowTable.Read(path);

    /// <summary>The top-level columns of a Parquet or Arrow file.</summary>
    public static IReadOnlyList<string> TableColumns(string path) => IsParquet(path) ? ParquetTable.Columns(path) : ArrowTable.Columns(path);

    /// <summary>
    /// Fails unless the Parquet or Arrow file has one of <paramref name="columnSets"/> (each a set of columns that
    /// together suffice), naming what it has. CSV and JSON files are checked per row by their readers.
    /// </summary>
    public static void RequireColumns(string path, string what, params IReadOnlyCollection<string>[] columnSets)
    {
        if (!IsTable(path) || columnSets.Length == 0) return;
        var present = TableColumns(path);
        if (columnSets.Any(set => set.All(present.Contains))) return;
        string wanted = columnSets.Length == 1
            ? $"lacks the column(s) {Quote(columnSets[0].Where(c => !present.Contains(c)))}"
            : $"has none of the column sets {what} reads ({string.Join("; or ", columnSets.Select(Quote))})";
        throw new DataException($"{path}: the file {wanted}; it has {Quote(present)}.");
    }

    /// <summary>JSON rows of <paramref name="files"/>, in order; Parquet and Arrow rows are converted to JSON objects.</summary>
    public static IEnumerable<SourceRecord> ReadJson(IEnumerable<string> files, DataReport report)
    {
        foreach (var file in files)
        {
            if (IsTable(file))
            {
                foreach (var row in ReadTable(file))
                {
                    report.RowsRead++;
                    yield return new SourceRecord(file, row.Number, row.ToJson(), null);
                }
                continue;
            }
            foreach (var record in JsonRecords.Read(file, report)) yield return new SourceRecord(file, record.Line, record.Value, record.Error);
        }
    }

    /// <summary>
    /// Rows of <paramref name="files"/> by field name: CSV and JSON through <see cref="DataRecords"/> (malformed rows
    /// go to <paramref name="issues"/>), Parquet and Arrow after checking that <paramref name="requiredFields"/> are
    /// columns of the file.
    /// </summary>
    public static IEnumerable<SourceRow> ReadFields(IEnumerable<string> files, IReadOnlyCollection<string> requiredFields, RowIssues issues, DataReport report)
    {
        foreach (var file in files)
        {
            if (IsTable(file))
            {
                RequireColumns(file, "", requiredFields);
                foreach (var row in ReadTable(file))
                {
                    report.RowsRead++;
                    yield return new SourceRow(file, row.Number, row.Field);
                }
                continue;
            }
            foreach (var record in DataRecords.Read(file, requiredFields, issues, report)) yield return new SourceRow(file, record.Line, record.Field);
        }
    }

    private static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    private static bool IsArrow(string path) =>
        path.EndsWith(".arrow", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".feather", StringComparison.OrdinalIgnoreCase)
        || path.EndsWith(".arrows", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ipc", StringComparison.OrdinalIgnoreCase);

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
