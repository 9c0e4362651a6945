using System.Collections;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using Retain.Data;

namespace Retain.Datasets.Reading.Tables;

/// <summary>
/// Reads a Parquet file with Parquet.Net (fully managed: every codec the Hub uses — snappy, zstd, gzip, brotli, lz4 —
/// dictionary and plain encodings, nullable, list, struct and map columns). Rows are assembled one row group at a
/// time, so memory follows the largest row group, not the file. A file that is not Parquet, is truncated or has a
/// damaged row group is a <see cref="DataException"/> naming the file and the row group; so is a column Parquet.Net
/// cannot decode (parquet-mr's data page v2 RLE booleans) and a list holding a null item, which its row assembly
/// would drop (docs/data-sources.md).
/// </summary>
public static class ParquetTable
{
    /// <summary>DATE columns as dates (not midnight timestamps), so they read as the writer's yyyy-MM-dd.</summary>
    private static readonly ParquetOptions Options = new() { UseDateOnlyTypeForDates = true };

    /// <summary>The top-level column names of <paramref name="path"/>.</summary>
    public static IReadOnlyList<string> Columns(string path)
    {
        using var stream = DataFiles.OpenRead(path);
        return Run(path, null, () => ParquetReader.ReadSchemaAsync(stream)).Fields.Select(f => f.Name).ToList();
    }

    /// <summary>Every row of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<TableRow> Read(string path)
    {
        using var stream = DataFiles.OpenRead(path);
        long[] counts = RowGroupSizes(path, stream);
        int rowGroups = counts.Length;
        int number = 0;
        for (int group = 0; group < rowGroups; group++)
        {
            stream.Position = 0;
            string where = $"row group {group} of {rowGroups} (rows {number + 1}-{number + counts[group]})";
            RefuseNullListItems(path, stream, group, where);
            stream.Position = 0;
            var rows = Run(path, where, () => ParquetSerializer.DeserializeUntypedAsync(stream, Options, group)).Data;
            if (rows.Count != counts[group])
            {
                throw new DataException($"{path}: {where}: {rows.Count} rows decoded but the file's metadata says {counts[group]}; the file is damaged.");
            }
            foreach (var values in rows) yield return new TableRow(path, ++number, Normalize(values));
        }
    }

    /// <summary>
    /// Parquet.Net's row assembly leaves out null items of a list (<c>[null, 1]</c> becomes <c>[1]</c>), so a row
    /// group whose lists of values hold a null item is refused, naming the column, rather than read with items lost.
    /// </summary>
    private static void RefuseNullListItems(string path, FileStream stream, int group, string where) => WithReader(path, stream, where, reader =>
    {
        var rowGroup = reader.OpenRowGroupReader(group);
        foreach (var (column, leaf) in reader.Schema.Fields.SelectMany(f => ListItems(f, f.Name)))
        {
            using var raw = Run(path, where, () => rowGroup.ReadRawColumnDataBaseAsync(leaf).AsTask());
            foreach (int level in raw.DefinitionLevels)
            {
                if (level == leaf.MaxDefinitionLevel - 1)
                {
                    throw new DataException(
                        $"{path}: {where}: the list column '{column}' has a null item inside a list, which the Parquet reader (Parquet.Net) would drop; "
                        + "Retain refuses the file rather than lose it. Replace null list items (e.g. with pyarrow: pc.fill_null) or export the data as JSONL.");
                }
            }
        }
        return true;
    });

    /// <summary>The nullable value columns that are the items of a list (of a list...), with their top-level column.</summary>
    private static IEnumerable<(string Column, DataField Leaf)> ListItems(Field field, string column) => field switch
    {
        ListField { Item: DataField { IsNullable: true } leaf } => [(column, leaf)],
        ListField { Item: ListField inner } => ListItems(inner, column),
        _ => [],
    };

    /// <summary>The row count of each row group, from the file's footer.</summary>
    private static long[] RowGroupSizes(string path, FileStream stream) =>
        WithReader(path, stream, null, reader => reader.RowGroups.Select(g => g.RowCount).ToArray());

    /// <summary>Runs <paramref name="use"/> on a reader of the file's footer (the stream stays open).</summary>
    private static T WithReader<T>(string path, FileStream stream, string? where, Func<ParquetReader, T> use)
    {
        stream.Position = 0;
        var reader = Run(path, where, () => ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: true));
        try
        {
            return use(reader);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Runs a Parquet.Net call; its failures become <see cref="DataException"/>s naming the file and part.</summary>
    private static T Run<T>(string path, string? where, Func<Task<T>> read)
    {
        try
        {
            return read().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not DataException and not OutOfMemoryException)
        {
            string part = where is null ? "" : $" {where}:";
            throw new DataException($"{path}:{part} not a readable Parquet file ({e.GetType().Name}: {e.Message}). Is it truncated or damaged? Download it again.", e);
        }
    }

    /// <summary>Parquet.Net's values with strings as <see cref="string"/> (it gives list items as ReadOnlyMemory&lt;char&gt;).</summary>
    private static Dictionary<string, object?> Normalize(IDictionary<string, object> values)
    {
        var row = new Dictionary<string, object?>(values.Count, StringComparer.Ordinal);
        foreach (var (name, value) in values) row[name] = Value(value);
        return row;
    }

    private static object? Value(object? value) => value switch
    {
        null => null,
        string => value,
        ReadOnlyMemory<char> m => m.ToString(),
        byte[] => value,
        IDictionary dictionary => dictionary.Keys.Cast<object>().ToDictionary(k => TableRow.Scalar(k) ?? "", k => Value(dictionary[k])),
        IEnumerable list => list.Cast<object?>().Select(Value).ToList(),
        _ => value,
    };
}
