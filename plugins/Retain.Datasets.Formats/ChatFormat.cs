using System.Text;
using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;

namespace Retain.Datasets.Formats;

/// <summary>
/// Rows in the chat formats TRL and most trainers use: <c>{"messages": [{"role", "content"}, …]}</c> (the final
/// message is the assistant's target, the earlier ones the prompt, which must end with a user message), or
/// <c>{"prompt": …, "completion": …}</c> with strings (a user prompt and the target) or message lists (TRL's
/// conversational prompt-completion). Roles are system, user and assistant; content is a string or a list of
/// <c>{"type": "text", "text": …}</c> parts.
/// </summary>
public static class ChatFormat
{
    private static readonly HashSet<string> Roles = ["system", "user", "assistant"];

    /// <summary>Parses a row, or says why it cannot be used.</summary>
    public static FormatRow Parse(JsonElement record, string referenceField)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException($"the row is a JSON {JsonFields.Kind(record)}, not an object");
        IReadOnlyList<ChatMessage> prompt;
        string target;
        if (record.TryGetProperty("messages", out var messages))
        {
            var all = Messages(messages, "messages");
            if (all.Count == 0 || all[^1].Role != "assistant") throw new FormatException("'messages' must end with an assistant message (the target)");
            prompt = all.Take(all.Count - 1).ToList();
            target = all[^1].Content;
        }
        else if (record.TryGetProperty("prompt", out var promptValue) && record.TryGetProperty("completion", out var completionValue))
        {
            prompt = promptValue.ValueKind == JsonValueKind.String ? [ChatMessage.User(promptValue.GetString()!)] : Messages(promptValue, "prompt");
            if (completionValue.ValueKind == JsonValueKind.String) target = completionValue.GetString()!;
            else if (completionValue.ValueKind != JsonValueKind.Array) throw new FormatException("'completion' must be a string or one assistant message");
            else
            {
                var completion = Messages(completionValue, "completion");
                if (completion.Count != 1 || completion[0].Role != "assistant") throw new FormatException("'completion' must be a string or one assistant message");
                target = completion[0].Content;
            }
        }
        else
        {
            throw new FormatException("expected 'messages', or 'prompt' and 'completion'");
        }
        return Checked(prompt, target, JsonFields.OptionalString(record, referenceField), JsonFields.OptionalString(record, "id"));
    }

    /// <summary>Validates a prompt and target: a user message last, no empty message, a non-empty target.</summary>
    public static FormatRow Checked(IReadOnlyList<ChatMessage> prompt, string target, string? reference, string? id)
    {
        if (prompt.Count == 0 || prompt[^1].Role != "user") throw new FormatException("the prompt must end with a user message");
        if (prompt.Any(m => string.IsNullOrWhiteSpace(m.Content))) throw new FormatException("the prompt has an empty message");
        if (string.IsNullOrWhiteSpace(target)) throw new FormatException("empty target");
        return new FormatRow(prompt, target, reference, id);
    }

    private static List<ChatMessage> Messages(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new FormatException($"'{field}' must be a list of messages");
        var messages = new List<ChatMessage>();
        int index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("content", out var content))
            {
                throw new FormatException($"'{field}'[{index}] must be an object with 'role' and 'content'");
            }
            string roleName = role.GetString()!;
            if (!Roles.Contains(roleName)) throw new FormatException($"'{field}'[{index}] has the role '{roleName}'; expected system, user or assistant");
            messages.Add(new ChatMessage(roleName, Content(content, $"{field}[{index}]")));
            index++;
        }
        return messages;
    }

    private static string Content(JsonElement content, string where)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw new FormatException($"'{where}'.content must be a string or a list of text parts");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"'{where}'.content has a part that is not {{\"type\": \"text\", \"text\": ...}}");
            }
            text.Append(partText.GetString());
        }
        return text.ToString();
    }
}
