using System.Text.Json;
using Retain.Benchmarks.IFEval.Instructions;

namespace Retain.Benchmarks.IFEval;

/// <summary>One IFEval prompt with its instructions, built into checkers.</summary>
public sealed record IFEvalDoc(int Key, string Prompt, IReadOnlyList<string> InstructionIds, IReadOnlyList<IInstruction> Instructions)
{
    /// <summary>Reads <c>input_data.jsonl</c> (<c>key</c>, <c>prompt</c>, <c>instruction_id_list</c>, <c>kwargs</c>).</summary>
    public static List<IFEvalDoc> Load(string path) => DataFiles.ReadJsonl(path, (e, _) =>
    {
        int key = DataFiles.Int(e, "key");
        var ids = DataFiles.Strings(e, "instruction_id_list");
        if (!e.TryGetProperty("kwargs", out var kwargs) || kwargs.ValueKind != JsonValueKind.Array || kwargs.GetArrayLength() != ids.Count)
        {
            throw new DataFormatException($"key {key}: 'kwargs' must be a list with one object per instruction id");
        }
        var instructions = new List<IInstruction>();
        int i = 0;
        foreach (var args in kwargs.EnumerateArray())
        {
            try
            {
                instructions.Add(InstructionRegistry.Create(ids[i], new InstructionArgs(args)));
            }
            catch (Exception ex) when (ex is InstructionArgumentException or System.Text.RegularExpressions.RegexParseException)
            {
                throw new DataFormatException($"key {key}, instruction '{ids[i]}': {ex.Message}");
            }
            i++;
        }
        return new IFEvalDoc(key, DataFiles.String(e, "prompt"), ids, instructions);
    });
}
