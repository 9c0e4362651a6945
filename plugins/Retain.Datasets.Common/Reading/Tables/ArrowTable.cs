using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Retain.Data;

namespace Retain.Datasets.Reading.Tables;

/// <summary>
/// Reads Arrow IPC files with Apache.Arrow: the streaming format the Hugging Face <c>datasets</c> cache and
/// <c>save_to_disk</c> write (<c>data-00000-of-00001.arrow</c>, <c>gsm8k-train.arrow</c>), and the random-access file
/// format (Feather v2, which starts with <c>ARROW1</c>). Batches are read one at a time; LZ4 and zstd compressed
/// buffers are decompressed. Errors name the file and the record batch.
/// </summary>
public static class ArrowTable
{
    private static readonly byte[] FileMagic = "ARROW1"u8.ToArray();

    /// <summary>The top-level column names of <paramref name="path"/>.</summary>
    public static IReadOnlyList<string> Columns(string path)
    {
        using var stream = DataFiles.OpenRead(path);
        using var reader = Reader(stream);
        return Run(path, "the schema", () => reader.Schema).FieldsList.Select(f => f.Name).ToList();
    }

    /// <summary>Every row of <paramref name="path"/>, in file order.</summary>
    public static IEnumerable<TableRow> Read(string path)
    {
        using var stream = DataFiles.OpenRead(path);
        using var reader = Reader(stream);
        var schema = Run(path, "the schema", () => reader.Schema);
        int number = 0;
        for (int batchIndex = 0; ; batchIndex++)
        {
            var batch = Run(path, $"record batch {batchIndex} (after row {number})", reader.ReadNextRecordBatch);
            if (batch is null) yield break;
            using (batch)
            {
                var columns = Enumerable.Range(0, batch.ColumnCount).Select(batch.Column).ToArray();
                for (int i = 0; i < batch.Length; i++)
                {
                    var values = new Dictionary<string, object?>(columns.Length, StringComparer.Ordinal);
                    for (int c = 0; c < columns.Length; c++) values[schema.FieldsList[c].Name] = Value(columns[c], i);
                    yield return new TableRow(path, ++number, values);
                }
            }
        }
    }

    private static ArrowStreamReader Reader(FileStream stream)
    {
        Span<byte> head = stackalloc byte[6];
        int read = stream.Read(head);
        stream.Position = 0;
        var codecs = new CompressionCodecFactory();
        return read == 6 && head.SequenceEqual(FileMagic) ? new ArrowFileReader(stream, codecs) : new ArrowStreamReader(stream, codecs);
    }

    private static T Run<T>(string path, string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not DataException and not OutOfMemoryException)
        {
            throw new DataException($"{path}: {where}: not a readable Arrow IPC file ({e.GetType().Name}: {e.Message}). Is it truncated or damaged?", e);
        }
    }

    /// <summary>The value at <paramref name="index"/> as a CLR value (lists as lists, structs and maps as dictionaries).</summary>
    private static object? Value(IArrowArray array, int index)
    {
        if (array.IsNull(index)) return null;
        return array switch
        {
            StringArray a => a.GetString(index),
            LargeStringArray a => a.GetString(index),
            StringViewArray a => a.GetString(index),
            BooleanArray a => a.GetValue(index),
            Int8Array a => (long)a.GetValue(index)!.Value,
            Int16Array a => (long)a.GetValue(index)!.Value,
            Int32Array a => (long)a.GetValue(index)!.Value,
            Int64Array a => a.GetValue(index),
            UInt8Array a => (long)a.GetValue(index)!.Value,
            UInt16Array a => (long)a.GetValue(index)!.Value,
            UInt32Array a => (long)a.GetValue(index)!.Value,
            UInt64Array a => a.GetValue(index),
            HalfFloatArray a => (double)a.GetValue(index)!.Value,
            FloatArray a => (double)a.GetValue(index)!.Value,
            DoubleArray a => a.GetValue(index),
            Decimal128Array a => a.GetValue(index),
            Date32Array a => a.GetDateOnly(index),
            Date64Array a => a.GetDateOnly(index),
            TimestampArray a => a.GetTimestamp(index),
            BinaryArray a when a.Data.DataType is BinaryType or LargeBinaryType => a.GetBytes(index).ToArray(),
            LargeBinaryArray a => a.GetBytes(index).ToArray(),
            ListArray a => Items(a.Values, a.ValueOffsets[index], a.GetValueLength(index)),
            LargeListArray a => Items(a.Values, checked((int)a.ValueOffsets[index]), a.GetValueLength(index)),
            FixedSizeListArray a => Items(a.Values, index * ((FixedSizeListType)a.Data.DataType).ListSize, ((FixedSizeListType)a.Data.DataType).ListSize),
            StructArray a => Struct(a, index),
            DictionaryArray a => Value(a.Dictionary, DictionaryIndex(a.Indices, index)),
            NullArray => null,
            _ => throw new DataException($"the Arrow type {array.Data.DataType.Name} is not one Retain reads (strings, numbers, booleans, dates, lists, structs, dictionaries)"),
        };
    }

    private static List<object?> Items(IArrowArray values, int offset, int length)
    {
        var items = new List<object?>(length);
        for (int i = 0; i < length; i++) items.Add(Value(values, offset + i));
        return items;
    }

    private static Dictionary<string, object?> Struct(StructArray array, int index)
    {
        var type = (StructType)array.Data.DataType;
        var values = new Dictionary<string, object?>(type.Fields.Count, StringComparer.Ordinal);
        for (int f = 0; f < type.Fields.Count; f++) values[type.Fields[f].Name] = Value(array.Fields[f], index);
        return values;
    }

    private static int DictionaryIndex(IArrowArray indices, int index) => indices switch
    {
        Int8Array a => a.GetValue(index)!.Value,
        Int16Array a => a.GetValue(index)!.Value,
        Int32Array a => a.GetValue(index)!.Value,
        Int64Array a => checked((int)a.GetValue(index)!.Value),
        UInt8Array a => a.GetValue(index)!.Value,
        UInt16Array a => a.GetValue(index)!.Value,
        UInt32Array a => checked((int)a.GetValue(index)!.Value),
        _ => throw new DataException($"dictionary indices of type {indices.Data.DataType.Name} are not supported"),
    };

}
