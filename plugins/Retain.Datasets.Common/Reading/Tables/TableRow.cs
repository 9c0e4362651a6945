using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Retain.Datasets.Reading.Tables;

/// <summary>
/// One row of a columnar file (Parquet or Arrow IPC), its values by column name as the readers give them: null,
/// strings, booleans, integers, floating-point and decimal numbers, dates and times, byte arrays, lists
/// (<see cref="IList"/>) and structs or maps (<see cref="IDictionary"/>). A missing key is a null value (Parquet.Net
/// leaves nulls and empty lists out of a row).
/// </summary>
public sealed class TableRow
{
    private readonly IReadOnlyDictionary<string, object?> _values;

    /// <summary>A row of <paramref name="file"/>.</summary>
    /// <param name="file">The file the row is in.</param>
    /// <param name="number">The 1-based row number within the file.</param>
    /// <param name="values">Values by column.</param>
    public TableRow(string file, int number, IReadOnlyDictionary<string, object?> values)
    {
        File = file;
        Number = number;
        _values = values;
    }

    /// <summary>The file the row is in.</summary>
    public string File { get; }

    /// <summary>The 1-based row number within the file (what messages call its line).</summary>
    public int Number { get; }

    /// <summary>
    /// The value of <paramref name="column"/> as text, as <see cref="JsonFields.OptionalString"/> gives a JSON field:
    /// null when the column is null or absent; numbers in invariant culture (floating point as Python's repr writes
    /// it, so a value reads as it did in the CSV export pandas writes), booleans as true/false, dates in ISO 8601,
    /// binary as text when it is UTF-8. A list, a struct or non-text binary is a <see cref="FormatException"/> naming the column.
    /// </summary>
    public string? Field(string column)
    {
        if (!_values.TryGetValue(column, out var value) || value is null) return null;
        if (value is byte[] bytes) return Text(bytes) ?? throw new FormatException($"the column '{column}' holds binary data that is not UTF-8 text");
        return Scalar(value) ?? throw new FormatException($"the column '{column}' holds a {KindOf(value)}, not a single value");
    }

    /// <summary>The row as a JSON object (lists as arrays, structs and maps as objects), for the readers of JSON rows.</summary>
    public JsonElement ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in _values)
            {
                writer.WritePropertyName(name);
                Write(writer, value);
            }
            writer.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>A single value as text, or null for a list or struct.</summary>
    internal static string? Scalar(object value) => value switch
    {
        string s => s,
        ReadOnlyMemory<char> m => m.ToString(),
        bool b => b ? "true" : "false",
        double d => PythonRepr(d),
        float f => PythonRepr(f),
        Half h => PythonRepr((double)h),
        DateTime t => t.TimeOfDay == TimeSpan.Zero && t.Kind != DateTimeKind.Utc ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        byte[] bytes => Text(bytes) ?? Convert.ToBase64String(bytes),
        IDictionary or IList => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Binary as text when it is valid UTF-8: older writers (parquet-mr, Impala) store strings as BYTE_ARRAY without
    /// the UTF8 annotation; null for other bytes.
    /// </summary>
    private static string? Text(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>What a value is, for messages.</summary>
    internal static string KindOf(object? value) => value switch
    {
        null => "null",
        IDictionary => "struct",
        IList => "list",
        string or ReadOnlyMemory<char> => "string",
        _ => value.GetType().Name,
    };

    /// <summary>
    /// Python's repr of a float, which pandas uses when it writes a CSV: the shortest round-trip digits, with ".0"
    /// on integral values and exponents written e+XX/e-XX from 1e16 and below 1e-4.
    /// </summary>
    private static string PythonRepr(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (Math.Abs(d) < 1e16 && d == Math.Floor(d))
        {
            return (double.IsNegative(d) && d == 0 ? "-0" : ((long)d).ToString(CultureInfo.InvariantCulture)) + ".0";
        }
        string shortest = d.ToString("R", CultureInfo.InvariantCulture);
        int e = shortest.IndexOf('E');
        if (e < 0) return shortest;
        int exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return $"{shortest[..e]}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
    }

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case ReadOnlyMemory<char> m: writer.WriteStringValue(m.Span); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case sbyte or byte or short or ushort or int or uint or long: writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case double or float or Half:
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsFinite(d)) writer.WriteNumberValue(d);
                else writer.WriteStringValue(PythonRepr(d));
                break;
            case byte[] bytes:
                if (Text(bytes) is { } text) writer.WriteStringValue(text);
                else writer.WriteBase64StringValue(bytes);
                break;
            case IDictionary dictionary:
                writer.WriteStartObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Scalar(entry.Key) ?? entry.Key.ToString() ?? "");
                    Write(writer, entry.Value);
                }
                writer.WriteEndObject();
                break;
            case IList list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Scalar(value)); break;
        }
    }
}
