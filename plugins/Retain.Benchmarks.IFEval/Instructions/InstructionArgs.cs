using System.Text.Json;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary>
/// The kwargs of one instruction, after lm-eval's filtering: entries whose value is falsy in Python (null, 0, "",
/// [], {}, false) are dropped. A checker that needs a dropped or absent argument fails with
/// <see cref="InstructionArgumentException"/> (lm-eval would pick a random default instead; the dataset never needs it).
/// </summary>
public sealed class InstructionArgs
{
    private readonly Dictionary<string, JsonElement> _values = [];

    /// <summary>Reads a kwargs object.</summary>
    public InstructionArgs(JsonElement kwargs)
    {
        if (kwargs.ValueKind == JsonValueKind.Null) return;
        if (kwargs.ValueKind != JsonValueKind.Object) throw new InstructionArgumentException("kwargs must be an object");
        foreach (var p in kwargs.EnumerateObject())
        {
            if (!IsFalsy(p.Value)) _values[p.Name] = p.Value.Clone();
        }
    }

    /// <summary>Parses a kwargs object from JSON text.</summary>
    public static InstructionArgs Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return new InstructionArgs(doc.RootElement);
    }

    /// <summary>The argument names kept.</summary>
    public IEnumerable<string> Names => _values.Keys;

    private static bool IsFalsy(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => true,
        JsonValueKind.Number => v.GetDouble() == 0,
        JsonValueKind.String => v.GetString()!.Length == 0,
        JsonValueKind.Array => v.GetArrayLength() == 0,
        JsonValueKind.Object => !v.EnumerateObject().Any(),
        _ => false,
    };

    private JsonElement Get(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new InstructionArgumentException($"argument '{name}' is missing (or falsy, which lm-eval drops)");

    /// <summary>An integer argument.</summary>
    public int Int(string name)
    {
        var v = Get(name);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
        throw new InstructionArgumentException($"argument '{name}' must be an integer");
    }

    /// <summary>A string argument.</summary>
    public string String(string name)
    {
        var v = Get(name);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new InstructionArgumentException($"argument '{name}' must be a string");
    }

    /// <summary>A list-of-strings argument.</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new InstructionArgumentException($"argument '{name}' must be a list of strings");
        }
        return v.EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    /// <summary>A comparison relation: <c>less than</c> or <c>at least</c>.</summary>
    public Relation Relation(string name) => String(name) switch
    {
        "less than" => Instructions.Relation.LessThan,
        "at least" => Instructions.Relation.AtLeast,
        var other => throw new InstructionArgumentException($"argument '{name}' is '{other}'; expected 'less than' or 'at least'"),
    };
}

/// <summary>lm-eval's two comparison relations.</summary>
public enum Relation
{
    /// <summary><c>count &lt; N</c>.</summary>
    LessThan,
    /// <summary><c>count &gt;= N</c>.</summary>
    AtLeast,
}

/// <summary>Relation helpers.</summary>
public static class RelationExtensions
{
    /// <summary>Applies the relation.</summary>
    public static bool Holds(this Relation relation, int count, int threshold) => relation == Relation.LessThan ? count < threshold : count >= threshold;
}

/// <summary>An instruction's kwargs do not fit its checker.</summary>
public sealed class InstructionArgumentException(string message) : Exception(message);
