using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;

namespace Retain.Datasets.Formats;

/// <summary>
/// Alpaca rows: <c>instruction</c>, optional <c>input</c>, <c>output</c> (the target), and LLaMA-Factory's optional
/// <c>system</c> and <c>history</c> (a list of [instruction, response] pairs before this turn). The user message is
/// the instruction, followed by a newline and the input when there is one (LLaMA-Factory's joining).
/// </summary>
public static class AlpacaFormat
{
    /// <summary>Parses a row, or says why it cannot be used.</summary>
    public static FormatRow Parse(JsonElement record, string referenceField)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException($"the row is a JSON {JsonFields.Kind(record)}, not an object");
        string instruction = JsonFields.OptionalString(record, "instruction") ?? throw new FormatException("missing 'instruction'");
        string input = JsonFields.OptionalString(record, "input") ?? "";
        string output = JsonFields.OptionalString(record, "output") ?? throw new FormatException("missing 'output' (the target)");
        var prompt = new List<ChatMessage>();
        if (JsonFields.OptionalString(record, "system") is { Length: > 0 } system) prompt.Add(ChatMessage.System(system));
        if (record.TryGetProperty("history", out var history) && history.ValueKind != JsonValueKind.Null)
        {
            if (history.ValueKind != JsonValueKind.Array) throw new FormatException("'history' must be a list of [instruction, response] pairs");
            foreach (var turn in history.EnumerateArray())
            {
                if (turn.ValueKind != JsonValueKind.Array || turn.GetArrayLength() != 2
                    || turn[0].ValueKind != JsonValueKind.String || turn[1].ValueKind != JsonValueKind.String)
                {
                    throw new FormatException("'history' must be a list of [instruction, response] string pairs");
                }
                prompt.Add(ChatMessage.User(turn[0].GetString()!));
                prompt.Add(ChatMessage.Assistant(turn[1].GetString()!));
            }
        }
        prompt.Add(ChatMessage.User(input.Length > 0 ? instruction + "\n" + input : instruction));
        return ChatFormat.Checked(prompt, output, JsonFields.OptionalString(record, referenceField), JsonFields.OptionalString(record, "id"));
    }
}
