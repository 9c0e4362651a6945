using System.Text.Json;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// A JSON value together with the file it came from and its path inside that file, so that every error raised
/// while interpreting tokenizer files can say exactly where the problem is.
/// </summary>
internal readonly struct JsonNode
{
    private readonly JsonPath? _path;

    private JsonNode(JsonElement element, string file, JsonPath? path)
    {
        Element = element;
        File = file;
        _path = path;
    }

    public JsonElement Element { get; }
    public string File { get; }

    /// <summary>The path inside the file, e.g. <c>pre_tokenizer.pretokenizers[1]</c> (empty for the root); built on
    /// demand, since only errors need it.</summary>
    public string Path => _path?.ToString() ?? "";

    public bool IsNull => Element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    /// <summary>Parses a whole file; malformed JSON becomes a <see cref="TokenizerFormatException"/>.</summary>
    public static (JsonDocument Document, JsonNode Root) ParseFile(string file)
    {
        try
        {
            using var stream = System.IO.File.OpenRead(file);
            var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
            return (document, new JsonNode(document.RootElement, file, null));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(file, null, $"is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The named property; null when it is absent or JSON null.</summary>
    public JsonNode? Optional(string name)
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error("must be a JSON object");
        return Element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? new JsonNode(value, File, new JsonPath(_path, name, -1))
            : null;
    }

    /// <summary>Whether the object has the named property at all (even if null).</summary>
    public bool Has(string name) => Element.ValueKind == JsonValueKind.Object && Element.TryGetProperty(name, out _);

    /// <summary>The named property; an error when it is absent or null.</summary>
    public JsonNode Required(string name) =>
        Optional(name) ?? throw new TokenizerFormatException(File, new JsonPath(_path, name, -1).ToString(), "is missing");

    public string AsString() =>
        Element.ValueKind == JsonValueKind.String ? Element.GetString()! : throw Error($"must be a string, not {Describe()}");

    public bool AsBool() => Element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"must be true or false, not {Describe()}"),
    };

    public int AsInt() =>
        Element.ValueKind == JsonValueKind.Number && Element.TryGetInt32(out var v) ? v : throw Error($"must be an integer, not {Describe()}");

    public double AsDouble() =>
        Element.ValueKind == JsonValueKind.Number ? Element.GetDouble() : throw Error($"must be a number, not {Describe()}");

    public string String(string name) => Required(name).AsString();
    public string? OptionalString(string name) => Optional(name)?.AsString();
    public bool Bool(string name, bool fallback) => Optional(name)?.AsBool() ?? fallback;
    public int Int(string name, int fallback) => Optional(name)?.AsInt() ?? fallback;

    public IEnumerable<JsonNode> Items()
    {
        if (Element.ValueKind != JsonValueKind.Array) throw Error($"must be an array, not {Describe()}");
        var i = 0;
        foreach (var item in Element.EnumerateArray()) yield return new JsonNode(item, File, new JsonPath(_path, null, i++));
    }

    /// <summary>The array item at <paramref name="index"/> (for error reporting from loops over raw elements).</summary>
    public JsonNode Item(int index) => new(Element[index], File, new JsonPath(_path, null, index));

    public IEnumerable<(string Name, JsonNode Value)> Properties()
    {
        if (Element.ValueKind != JsonValueKind.Object) throw Error($"must be a JSON object, not {Describe()}");
        foreach (var p in Element.EnumerateObject()) yield return (p.Name, new JsonNode(p.Value, File, new JsonPath(_path, p.Name, -1)));
    }

    public TokenizerFormatException Error(string problem) => new(File, Path, problem);

    /// <summary>The error for a <c>type</c> value this kernel does not implement.</summary>
    public TokenizerFormatException Unsupported(string value, IEnumerable<string> supported) =>
        Error($"'{value}' is not supported; supported: {string.Join(", ", supported)}");


    private string Describe() => Element.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Element.GetString()}\"",
        JsonValueKind.Number => $"the number {Element.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => Element.GetRawText(),
        _ => "null",
    };

    /// <summary>One step of a path: a property name or an array index, linked to its parent.</summary>
    private sealed class JsonPath(JsonPath? parent, string? name, int index)
    {
        public override string ToString()
        {
            var prefix = parent?.ToString() ?? "";
            return name is null ? $"{prefix}[{index}]" : prefix.Length == 0 ? name : $"{prefix}.{name}";
        }
    }
}
