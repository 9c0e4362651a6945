using System.Text.Json;

namespace Retain.Kernel.Models;

/// <summary>What <c>generation_config.json</c> says about decoding (all optional).</summary>
public sealed record GenerationConfig
{
    /// <summary>End-of-sequence ids (one or a list).</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>BOS id.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Pad id.</summary>
    public int? PadTokenId { get; init; }

    /// <summary>Hugging Face repetition penalty (1 = none).</summary>
    public double RepetitionPenalty { get; init; } = 1;

    /// <summary>Whether the model's authors sample by default (<c>do_sample</c>).</summary>
    public bool DoSample { get; init; }

    /// <summary>Sampling temperature, when given.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus mass, when given.</summary>
    public double? TopP { get; init; }

    /// <summary>Top-k, when given (transformers uses 50 when it is not).</summary>
    public int? TopK { get; init; }

    /// <summary>Reads the file from a model directory; a missing file gives the empty config.</summary>
    public static GenerationConfig Load(string modelDirectory)
    {
        string path = Path.Combine(modelDirectory, "generation_config.json");
        if (!File.Exists(path)) return new GenerationConfig();
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelConfigException($"{path}: must be a JSON object.");
            int? Int(string key) => root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;
            var eos = new List<int>();
            if (root.TryGetProperty("eos_token_id", out var e))
            {
                if (e.ValueKind == JsonValueKind.Number) eos.Add(e.GetInt32());
                else if (e.ValueKind == JsonValueKind.Array) eos.AddRange(e.EnumerateArray().Select(x => x.GetInt32()));
                else if (e.ValueKind != JsonValueKind.Null) throw new ModelConfigException($"{path}: key 'eos_token_id' must be an integer or a list.");
            }
            double? Number(string key, bool positive)
            {
                if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
                if (v.ValueKind != JsonValueKind.Number) throw new ModelConfigException($"{path}: key '{key}' must be a number, not {v.GetRawText()}.");
                double value = v.GetDouble();
                if (positive && !(value > 0)) throw new ModelConfigException($"{path}: key '{key}' must be positive, not {v.GetRawText()}.");
                return value;
            }
            bool doSample = root.TryGetProperty("do_sample", out var d) && d.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False or JsonValueKind.Null => false,
                _ => throw new ModelConfigException($"{path}: key 'do_sample' must be true or false, not {d.GetRawText()}."),
            };
            return new GenerationConfig
            {
                EosTokenIds = eos, BosTokenId = Int("bos_token_id"), PadTokenId = Int("pad_token_id"),
                RepetitionPenalty = Number("repetition_penalty", positive: true) ?? 1,
                DoSample = doSample, Temperature = Number("temperature", positive: false), TopP = Number("top_p", positive: true), TopK = Int("top_k"),
            };
        }
        catch (JsonException ex)
        {
            throw new ModelConfigException($"{path}: not valid JSON ({ex.Message}).", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelConfigException($"{path}: unexpected value type ({ex.Message}).", ex);
        }
        catch (FormatException ex)
        {
            throw new ModelConfigException($"{path}: token ids must be 32-bit integers ({ex.Message}).", ex);
        }
    }
}
