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
            double penalty = root.TryGetProperty("repetition_penalty", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 1;
            return new GenerationConfig { EosTokenIds = eos, BosTokenId = Int("bos_token_id"), PadTokenId = Int("pad_token_id"), RepetitionPenalty = penalty };
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
