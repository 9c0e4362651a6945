using System.Text.Json;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary>
/// The kwargs of one instruction, as google-research's evaluation passes them to <c>build_description</c>: a null value
/// counts as not given. Where the official checker would then draw a random default (an argument absent, null, an
/// empty string or list, a negative count), this fails with <see cref="InstructionArgumentException"/> naming the
/// argument instead; the dataset never needs a default. (lm-eval v0.4.9.1 drops every falsy value first, so a count of
/// 0 becomes a random one there.)
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
            if (p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)) _values[p.Name] = p.Value.Clone();
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

    private JsonElement Get(string name) =>
        _values.TryGetValue(name, out var v) ? v : throw new InstructionArgumentException($"argument '{name}' is missing (the official checker would draw a random value)");

    /// <summary>An integer argument.</summary>
    public int Int(string name)
    {
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i)) throw new InstructionArgumentException($"argument '{name}' must be an integer");
        return i >= 0 ? i : throw new InstructionArgumentException($"argument '{name}' is {i}; a negative count makes the official checker draw a random one");
    }

    /// <summary>A string argument.</summary>
    public string String(string name)
    {
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.String) throw new InstructionArgumentException($"argument '{name}' must be a string");
        string text = v.GetString()!;
        return text.Length > 0 ? text : throw new InstructionArgumentException($"argument '{name}' is empty (the official checker would draw a random value)");
    }

    /// <summary>A list-of-strings argument.</summary>
    public IReadOnlyList<string> Strings(string name)
    {
        var v = Get(name);
        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new InstructionArgumentException($"argument '{name}' must be a list of strings");
        }
        var list = v.EnumerateArray().Select(e => e.GetString()!).ToList();
        return list.Count > 0 ? list : throw new InstructionArgumentException($"argument '{name}' is empty (the official checker would draw random words)");
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
