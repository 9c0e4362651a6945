using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;

namespace Retain.Datasets.Formats;

/// <summary>
/// Alpaca rows: <c>instruction</c>, optional <c>input</c>, <c>output</c> (the target), and LLaMA-Factory's optional
/// <c>system</c> and <c>history</c> (a list of [instruction, response] pairs before this turn). The user message is
/// the instruction, followed by a newline and the input when there is one (LLaMA-Factory's joining). Column names
/// come from <see cref="AlpacaOptions"/>.
/// </summary>
public static class AlpacaFormat
{
    /// <summary>Parses a row, or says why it cannot be used.</summary>
    public static FormatRow Parse(JsonElement record, AlpacaOptions options)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new FormatException($"the row is a JSON {JsonFields.Kind(record)}, not an object");
        string instruction = JsonFields.OptionalString(record, options.InstructionField) ?? throw new FormatException($"missing '{options.InstructionField}'");
        string input = JsonFields.OptionalString(record, options.InputField) ?? "";
        string output = JsonFields.OptionalString(record, options.OutputField) ?? throw new FormatException($"missing '{options.OutputField}' (the target)");
        var prompt = new List<ChatMessage>();
        if (JsonFields.OptionalString(record, options.SystemField) is { Length: > 0 } system) prompt.Add(ChatMessage.System(system));
        string pairs = $"'{options.HistoryField}' must be a list of [instruction, response] string pairs";
        if (record.TryGetProperty(options.HistoryField, out var history) && history.ValueKind != JsonValueKind.Null)
        {
            if (history.ValueKind != JsonValueKind.Array) throw new FormatException(pairs);
            foreach (var turn in history.EnumerateArray())
            {
                if (turn.ValueKind != JsonValueKind.Array || turn.GetArrayLength() != 2
                    || turn[0].ValueKind != JsonValueKind.String || turn[1].ValueKind != JsonValueKind.String)
                {
                    throw new FormatException(pairs);
                }
                prompt.Add(ChatMessage.User(turn[0].GetString()!));
                prompt.Add(ChatMessage.Assistant(turn[1].GetString()!));
            }
        }
        prompt.Add(ChatMessage.User(input.Length > 0 ? instruction + "\n" + input : instruction));
        return ChatFormat.Checked(prompt, output, JsonFields.OptionalString(record, options.ReferenceField), JsonFields.OptionalString(record, options.IdField));
    }
}
