using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Retain.Hosting.Configuration;

/// <summary>Configuration sections as JSON, for resolved-config files and cache keys.</summary>
public static class ConfigurationText
{
    /// <summary>
    /// The section as JSON: objects for sections, arrays when every child key is 0..n−1, strings for values (the
    /// configuration system keeps every value as a string). Keys are sorted, so equal settings give equal text.
    /// </summary>
    /// <param name="section">The section.</param>
    /// <param name="isList">Paths of values bound as one-element lists (written as such, so the text shows what runs).</param>
    public static JsonNode? ToJson(IConfiguration section, Func<string, bool>? isList = null)
    {
        if (section is IConfigurationSection { Value: { } value } scalar && !section.GetChildren().Any())
        {
            return isList?.Invoke(scalar.Path) == true ? new JsonArray(JsonValue.Create(value)) : JsonValue.Create(value);
        }
        var children = section.GetChildren().ToList();
        if (children.Count > 0 && children.All(c => int.TryParse(c.Key, out _)) && children.Select(c => int.Parse(c.Key)).Order().SequenceEqual(Enumerable.Range(0, children.Count)))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key))) array.Add(ToJson(child, isList));
            return array;
        }
        var obj = new JsonObject();
        foreach (var child in children.OrderBy(c => c.Key, StringComparer.OrdinalIgnoreCase)) obj[child.Key] = ToJson(child, isList);
        return obj;
    }
}
