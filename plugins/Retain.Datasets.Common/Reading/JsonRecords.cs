using System.Text;
using System.Text.Json;
using Retain.Data;

namespace Retain.Datasets.Reading;

/// <summary>One JSON record of a data file: its line and value, or why it could not be parsed.</summary>
/// <param name="Line">1-based line where the record starts.</param>
/// <param name="Value">The parsed value (detached from any document); default when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the record is not valid JSON, or null.</param>
public sealed record JsonRecord(int Line, JsonElement Value, string? Error);

/// <summary>
/// Reads records from JSON Lines (one value per line, blank lines skipped) or from a file holding one top-level JSON
/// array (the format is chosen by the first non-blank character: <c>[</c> means an array). Array elements are found by a
/// streaming scan so files larger than memory allows as one document still read, each element with its start line.
/// </summary>
public static class JsonRecords
{
    /// <summary>Reads every record of <paramref name="path"/>, counting each in <paramref name="report"/>.</summary>
    public static IEnumerable<JsonRecord> Read(string path, DataReport report)
    {
        foreach (var record in Parse(path))
        {
            report.RowsRead++;
            yield return record;
        }
    }

    /// <summary>Reads every record of <paramref name="path"/>.</summary>
    public static IEnumerable<JsonRecord> Parse(string path)
    {
        var invalid = new InvalidUtf8.Cursor(InvalidUtf8.Find(path));
        using var reader = CsvTable.OpenText(path);
        var input = new CharStream(reader);
        SkipWhitespace(input);
        var records = input.Peek() == '[' ? ParseArray(input, path) : ParseLines(input);
        foreach (var record in records)
        {
            // The record's text was decoded with U+FFFD for bad bytes: never let such a row through as if it were intact.
            if (!invalid.None && invalid.Within(record.Line, Math.Max(record.Line, input.Line - 1)) is { } bad)
            {
                yield return new JsonRecord(record.Line, default, bad.Describe(record.Line));
                continue;
            }
            yield return record;
        }
    }

    private static IEnumerable<JsonRecord> ParseLines(CharStream input)
    {
        var text = new StringBuilder();
        while (input.Peek() >= 0)
        {
            int line = input.Line;
            text.Clear();
            while (input.Peek() is int c && c >= 0 && c != '\n' && c != '\r') text.Append((char)input.Read());
            if (input.Read() == '\r' && input.Peek() == '\n') input.Read();
            if (string.IsNullOrWhiteSpace(text.ToString())) continue;
            yield return ParseValue(line, text.ToString());
        }
    }

    private static IEnumerable<JsonRecord> ParseArray(CharStream input, string path)
    {
        input.Read(); // '['
        var text = new StringBuilder();
        SkipWhitespace(input);
        if (input.Peek() == ']') yield break;
        while (true)
        {
            SkipWhitespace(input);
            int line = input.Line;
            text.Clear();
            if (!ScanValue(input, text))
            {
                yield return new JsonRecord(line, default, $"the JSON array in {path} ends inside the element starting on line {line}");
                yield break;
            }
            yield return ParseValue(line, text.ToString());
            SkipWhitespace(input);
            int separator = input.Read();
            if (separator == ',') continue;
            if (separator == ']') yield break;
            string found = separator < 0 ? "the end of the file" : $"'{(char)separator}'";
            yield return new JsonRecord(input.Line, default, $"expected ',' or ']' after the array element starting on line {line}, found {found}");
            yield break;
        }
    }

    /// <summary>Copies one JSON value's text (object, array, string or scalar) up to, not including, the next top-level ',' or ']'.</summary>
    private static bool ScanValue(CharStream input, StringBuilder text)
    {
        int depth = 0;
        bool inString = false;
        while (true)
        {
            int c = input.Peek();
            if (c < 0) return text.Length > 0 && depth == 0 && !inString;
            if (inString)
            {
                text.Append((char)input.Read());
                if (c == '\\')
                {
                    int escaped = input.Read();
                    if (escaped < 0) return false;
                    text.Append((char)escaped);
                }
                else if (c == '"')
                {
                    inString = false;
                    if (depth == 0) return true;
                }
                continue;
            }
            if (depth == 0 && (c == ',' || c == ']')) return text.Length > 0;
            text.Append((char)input.Read());
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']':
                    depth--;
                    if (depth == 0) return true;
                    break;
            }
        }
    }

    private static JsonRecord ParseValue(int line, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return new JsonRecord(line, document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            // System.Text.Json counts from the start of this one record and appends "LineNumber: 0 | BytePositionInLine: 82";
            // say where in the file instead.
            int recordLine = line + (int)(e.LineNumber ?? 0);
            string where = e.BytePositionInLine is long column ? $" (line {recordLine}, byte {column + 1})" : "";
            return new JsonRecord(line, default, $"invalid JSON{where}: {StripPosition(e.Message)}");
        }
    }

    private static string StripPosition(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd().TrimEnd('.');
    }

    private static void SkipWhitespace(CharStream input)
    {
        while (input.Peek() is ' ' or '\t' or '\n' or '\r' or '\uFEFF') input.Read();
    }
}

/// <summary>Typed access to the fields of a JSON record, with messages that name the field.</summary>
public static class JsonFields
{
    /// <summary>
    /// The string value of <paramref name="name"/> (numbers as written, booleans as <c>true</c>/<c>false</c>): null
    /// when the field is missing or JSON null; a <see cref="FormatException"/> naming the field for an array or object.
    /// </summary>
    public static string? OptionalString(JsonElement record, string name)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException($"the record is a JSON {Kind(record)}, not an object");
        if (!record.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new FormatException($"the field '{name}' is a JSON {Kind(value)}, not a string"),
        };
    }

    /// <summary>Whether the record has <paramref name="name"/> with a non-null value.</summary>
    public static bool Has(JsonElement record, string name)
        => record.ValueKind == JsonValueKind.Object && record.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The JSON type name of a value, for messages.</summary>
    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };
}
