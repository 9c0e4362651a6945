using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retain.Hosting.Plugins;

/// <summary>The build-time manifest (<c>retain-plugin.json</c>) the plugin SDK writes beside a plugin.</summary>
public sealed record PluginManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "retain-plugin.json";

    /// <summary>Plugin name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>Plugin version.</summary>
    [JsonPropertyName("version")] public string Version { get; init; } = "";

    /// <summary>One sentence.</summary>
    [JsonPropertyName("description")] public string Description { get; init; } = "";

    /// <summary>The main assembly's file name.</summary>
    [JsonPropertyName("assembly")] public string Assembly { get; init; } = "";

    /// <summary>Reads a manifest; throws <see cref="PluginLoadException"/> naming the file when it is malformed.</summary>
    public static PluginManifest Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<PluginManifest>(File.ReadAllText(path))
                ?? throw new PluginLoadException($"{path}: the manifest is empty.");
        }
        catch (JsonException e)
        {
            throw new PluginLoadException($"{path}: the manifest is not valid JSON ({e.Message}).", e);
        }
    }
}

/// <summary>A plugin could not be loaded; the message says which and why.</summary>
public sealed class PluginLoadException(string message, Exception? inner = null) : Exception(message, inner);
