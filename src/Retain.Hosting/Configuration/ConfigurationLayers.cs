using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>
/// The flattened keys of a configuration file with its overrides applied, plus what the flat string form loses:
/// which values were written as JSON strings (so <c>"1e-3"</c> is not taken for a number), which lists were written
/// empty, and which source supplied each key. An override replaces everything under its key, so a list given on the
/// command line is the list that runs.
/// </summary>
internal sealed class ConfigurationLayers(string file)
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _quoted = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Key, string Source)> _overrides = [];

    /// <summary>The flat key/value pairs, ready for an in-memory configuration.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Values => _values;

    /// <summary>Keys written as <c>[]</c>.</summary>
    public HashSet<string> EmptyLists { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether the value at <paramref name="key"/> was a JSON string.</summary>
    public bool IsQuoted(string key) => _quoted.Contains(key);

    /// <summary>The file, environment variable or command-line argument that supplied <paramref name="key"/> (or a key below or above it).</summary>
    public string SourceOf(string key)
    {
        for (int i = _overrides.Count - 1; i >= 0; i--)
        {
            var (k, source) = _overrides[i];
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || Below(key, k) || Below(k, key)) return source;
        }
        return file;
    }

    /// <summary>Takes the file's values (as the JSON configuration provider flattens them) and its JSON types.</summary>
    public void AddFile(IConfigurationRoot fromFile, JsonDocument document)
    {
        foreach (var (key, value) in fromFile.AsEnumerable()) _values[key] = value;
        Describe(document.RootElement, "");
    }

    /// <summary>Replaces the value at <paramref name="key"/>: a JSON array or object when the text starts with '[' or '{', else the text itself.</summary>
    public void Override(string key, string text, string source, List<ConfigurationError> errors)
    {
        var trimmed = text.Trim();
        JsonDocument? json = null;
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            try
            {
                json = JsonDocument.Parse(trimmed);
            }
            catch (JsonException e)
            {
                errors.Add(new ConfigurationError(source, key, $"'{text}' starts like JSON but is not valid JSON ({ConfigurationLoader.FirstSentence(e.Message)}); write a list as [0.005, 0.01]."));
                return;
            }
        }
        foreach (var existing in _values.Keys.Where(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || Below(k, key)).ToList())
        {
            _values.Remove(existing);
            _quoted.Remove(existing);
            EmptyLists.Remove(existing);
        }
        // Parents must exist as sections for the child to be found: an in-memory key creates them.
        if (json is null) _values[key] = text;
        else
        {
            using (json)
            {
                Flatten(json.RootElement, key);
                Describe(json.RootElement, key);
            }
        }
        _overrides.Add((key, source));
    }

    private void Flatten(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.EnumerateObject().Any():
                foreach (var property in element.EnumerateObject()) Flatten(property.Value, ConfigurationKeys.Combine(path, property.Name));
                break;
            case JsonValueKind.Array when element.GetArrayLength() > 0:
                int i = 0;
                foreach (var item in element.EnumerateArray()) Flatten(item, ConfigurationKeys.Combine(path, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                _values[path] = null; // as the JSON provider writes an empty object or array
                break;
            default:
                _values[path] = element.ToString();
                break;
        }
    }

    private void Describe(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Describe(property.Value, ConfigurationKeys.Combine(path, property.Name));
                break;
            case JsonValueKind.Array:
                if (element.GetArrayLength() == 0) EmptyLists.Add(path);
                int i = 0;
                foreach (var item in element.EnumerateArray()) Describe(item, ConfigurationKeys.Combine(path, (i++).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case JsonValueKind.String:
                _quoted.Add(path);
                break;
        }
    }

    private static bool Below(string key, string parent) => key.StartsWith(parent + ":", StringComparison.OrdinalIgnoreCase);
}
