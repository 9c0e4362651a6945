using System.Text.Json;

namespace Retain.Kernel.Chat;

/// <summary>What a model directory says about its chat template: the template text (and the file it came from) and
/// the BOS / EOS texts from tokenizer_config.json.</summary>
internal sealed record ChatTemplateSource(ChatTemplateSource.TemplateText? Template, string? BosToken, string? EosToken)
{
    internal sealed record TemplateText(string Text, string File);

    public static ChatTemplateSource Read(string directory)
    {
        string? bos = null, eos = null;
        TemplateText? template = null;
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(configPath))
        {
            using var config = ParseJson(configPath);
            var root = config.RootElement;
            bos = TokenText(root, "bos_token", configPath);
            eos = TokenText(root, "eos_token", configPath);
            if (root.TryGetProperty("chat_template", out var t) && t.ValueKind != JsonValueKind.Null)
                template = new TemplateText(TemplateFrom(t, configPath, "chat_template"), configPath);
        }
        var jsonPath = Path.Combine(directory, "chat_template.json");
        if (File.Exists(jsonPath))
        {
            using var document = ParseJson(jsonPath);
            if (!document.RootElement.TryGetProperty("chat_template", out var t))
                throw new ChatTemplateException($"{jsonPath}: has no \"chat_template\" key.");
            template = new TemplateText(TemplateFrom(t, jsonPath, "chat_template"), jsonPath);
        }
        var jinjaPath = Path.Combine(directory, "chat_template.jinja");
        if (File.Exists(jinjaPath)) template = new TemplateText(File.ReadAllText(jinjaPath), jinjaPath);
        return new ChatTemplateSource(template, bos, eos);
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ChatTemplateException($"{path}: is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>A template given as a string, or as a list of <c>{"name", "template"}</c> (the one named "default").</summary>
    private static string TemplateFrom(JsonElement value, string file, string key)
    {
        if (value.ValueKind == JsonValueKind.String) return value.GetString()!;
        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in value.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("name", out var name) &&
                    name.ValueKind == JsonValueKind.String && name.GetString() == "default" &&
                    entry.TryGetProperty("template", out var text) && text.ValueKind == JsonValueKind.String)
                    return text.GetString()!;
            }
            throw new ChatTemplateException($"{file}: {key} lists templates but none is named \"default\".");
        }
        throw new ChatTemplateException($"{file}: {key} must be a string or a list of named templates.");
    }

    /// <summary>A special token given as a string or as an AddedToken object; null when absent or null.</summary>
    private static string? TokenText(JsonElement root, string key, string file)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            return content.GetString();
        throw new ChatTemplateException($"{file}: {key} must be a string or an object with \"content\".");
    }
}
