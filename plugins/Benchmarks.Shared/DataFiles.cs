using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Retain.Data;

namespace Retain.Benchmarks;

/// <summary>Reads benchmark data files: JSON lines (optionally gzipped) with errors that name the file and line.</summary>
internal static class DataFiles
{
    /// <summary>Opens a text file, transparently decompressing <c>.gz</c>.</summary>
    public static TextReader OpenText(string path)
    {
        Stream stream = File.OpenRead(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) stream = new GZipStream(stream, CompressionMode.Decompress);
        return new StreamReader(stream, new UTF8Encoding(false, true));
    }

    /// <summary>
    /// Parses every non-blank line of a JSONL file with <paramref name="parse"/>; a malformed line or a missing field
    /// becomes a <see cref="DataException"/> naming <c>file:line</c>. The second argument of <paramref name="parse"/> is
    /// the 0-based index of the record (the doc_id lm-eval would give it).
    /// </summary>
    public static List<T> ReadJsonl<T>(string path, Func<JsonElement, int, T> parse)
    {
        var items = new List<T>();
        using var reader = OpenText(path);
        int lineNumber = 0;
        string? line;
        while ((line = ReadLine(reader, path, lineNumber + 1)) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                items.Add(parse(document.RootElement, items.Count));
            }
            catch (Exception e) when (e is JsonException or DataFormatException or InvalidOperationException or FormatException)
            {
                throw new DataException($"{path}:{lineNumber}: {e.Message}", e);
            }
        }
        if (items.Count == 0) throw new DataException($"{path}: the file holds no records.");
        return items;
    }

    private static string? ReadLine(TextReader reader, string path, int lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (Exception e) when (e is DecoderFallbackException or InvalidDataException)
        {
            throw new DataException($"{path}:{lineNumber}: not valid UTF-8 text ({e.Message}).", e);
        }
    }

    /// <summary>A required string property.</summary>
    public static string String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new DataFormatException($"field '{name}' is missing or not a string");
        }
        return value.GetString()!;
    }

    /// <summary>A required integer property (a JSON number, or a string of digits).</summary>
    public static int Int(JsonElement element, string name)
    {
        if (element.TryGetProperty(name, out var value))
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int number)) return number;
            if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), out number)) return number;
        }
        throw new DataFormatException($"field '{name}' is missing or not an integer");
    }

    /// <summary>A required array of strings.</summary>
    public static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            throw new DataFormatException($"field '{name}' is missing or not an array");
        }
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new DataFormatException($"field '{name}' holds a non-string element");
            list.Add(item.GetString()!);
        }
        return list;
    }
}

/// <summary>A record lacks a field or has one of the wrong type; <see cref="DataFiles"/> adds the file and line.</summary>
internal sealed class DataFormatException(string message) : Exception(message);
