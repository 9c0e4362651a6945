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
/// <c>{"type": "text", "text": …}</c> parts. Field, key and role names come from <see cref="JsonlOptions"/>, so
/// ShareGPT rows (<c>conversations</c> of <c>{"from": "human"|"gpt", "value"}</c>) read too.
/// </summary>
public static class ChatFormat
{
    /// <summary>Parses a row, or says why it cannot be used.</summary>
    public static FormatRow Parse(JsonElement record, JsonlOptions options)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException($"the row is a JSON {JsonFields.Kind(record)}, not an object");
        IReadOnlyList<ChatMessage> prompt;
        string target;
        if (record.TryGetProperty(options.MessagesField, out var messages) && messages.ValueKind != JsonValueKind.Null)
        {
            var all = Messages(messages, options.MessagesField, options);
            if (all.Count == 0 || all[^1].Role != "assistant") throw new FormatException($"'{options.MessagesField}' must end with an assistant message (the target)");
            prompt = all.Take(all.Count - 1).ToList();
            target = all[^1].Content;
        }
        else if (record.TryGetProperty(options.PromptField, out var promptValue) && record.TryGetProperty(options.CompletionField, out var completionValue))
        {
            prompt = promptValue.ValueKind == JsonValueKind.String ? [ChatMessage.User(promptValue.GetString()!)] : Messages(promptValue, options.PromptField, options);
            string invalid = $"'{options.CompletionField}' must be a string or one assistant message";
            if (completionValue.ValueKind == JsonValueKind.String) target = completionValue.GetString()!;
            else if (completionValue.ValueKind != JsonValueKind.Array) throw new FormatException(invalid);
            else
            {
                var completion = Messages(completionValue, options.CompletionField, options);
                if (completion.Count != 1 || completion[0].Role != "assistant") throw new FormatException(invalid);
                target = completion[0].Content;
            }
        }
        else
        {
            throw new FormatException($"expected '{options.MessagesField}', or '{options.PromptField}' and '{options.CompletionField}'");
        }
        return Checked(prompt, target, JsonFields.OptionalString(record, options.ReferenceField), JsonFields.OptionalString(record, options.IdField));
    }

    /// <summary>Validates a prompt and target: a user message last, no empty message, a non-empty target.</summary>
    public static FormatRow Checked(IReadOnlyList<ChatMessage> prompt, string target, string? reference, string? id)
    {
        if (prompt.Count == 0 || prompt[^1].Role != "user") throw new FormatException("the prompt must end with a user message");
        if (prompt.Any(m => string.IsNullOrWhiteSpace(m.Content))) throw new FormatException("the prompt has an empty message");
        if (string.IsNullOrWhiteSpace(target)) throw new FormatException("empty target");
        return new FormatRow(prompt, target, reference, id);
    }

    private static List<ChatMessage> Messages(JsonElement value, string field, JsonlOptions options)
    {
        if (value.ValueKind != JsonValueKind.Array) throw new FormatException($"'{field}' must be a list of messages");
        var roles = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [options.SystemRole] = "system",
            [options.UserRole] = "user",
            [options.AssistantRole] = "assistant",
        };
        var messages = new List<ChatMessage>();
        int index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty(options.RoleKey, out var role) || role.ValueKind != JsonValueKind.String
                || !item.TryGetProperty(options.ContentKey, out var content))
            {
                throw new FormatException($"'{field}'[{index}] must be an object with '{options.RoleKey}' and '{options.ContentKey}'");
            }
            string roleName = role.GetString()!;
            if (!roles.TryGetValue(roleName, out var canonical))
            {
                throw new FormatException($"'{field}'[{index}] has the role '{roleName}'; expected {options.SystemRole}, {options.UserRole} or {options.AssistantRole}");
            }
            messages.Add(new ChatMessage(canonical, Content(content, $"{field}[{index}]", options.ContentKey)));
            index++;
        }
        return messages;
    }

    private static string Content(JsonElement content, string where, string contentKey)
    {
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw new FormatException($"'{where}'.{contentKey} must be a string or a list of text parts");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var partText) || partText.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"'{where}'.{contentKey} has a part that is not {{\"type\": \"text\", \"text\": ...}}");
            }
            text.Append(partText.GetString());
        }
        return text.ToString();
    }
}
