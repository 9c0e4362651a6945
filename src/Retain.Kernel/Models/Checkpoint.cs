using System.Text.Json;
using Retain.Kernel.Backends;
using Retain.Kernel.Formats.Safetensors;

namespace Retain.Kernel.Models;

/// <summary>How <see cref="Checkpoint.Save"/> writes weights.</summary>
public sealed record CheckpointSaveOptions
{
    /// <summary>Stored dtype: F32 (default: keeps small fine-tuning updates that BF16 would round away), BF16 or F16.</summary>
    public SafetensorsDType DType { get; init; } = SafetensorsDType.F32;

    /// <summary>Largest shard in bytes; larger checkpoints are split with a <c>model.safetensors.index.json</c>.</summary>
    public long MaxShardBytes { get; init; } = 5_000_000_000;
}

/// <summary>
/// Loads Hugging Face model directories (config.json + safetensors, single or sharded) into a
/// <see cref="TransformerModel"/> and saves models back in the same layout, so a fine-tuned model loads unchanged in
/// transformers or vLLM.
/// </summary>
public static class Checkpoint
{
    /// <summary>Files copied from the source directory next to the weights.</summary>
    public static readonly IReadOnlyList<string> CompanionFiles =
    [
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja", "chat_template.json",
    ];

    /// <summary>Loads a model directory onto a backend.</summary>
    public static TransformerModel Load(string directory, IBackend backend, ModelOptions? options = null)
    {
        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory)) throw new ModelFormatException($"{directory}: model directory not found.");
        var config = ModelConfig.Load(directory);
        using var weights = SafetensorsDirectory.Open(directory);
        var model = new TransformerModel(config, backend, options);
        try
        {
            var missing = model.Parameters.Tensors.Where(t => !weights.Contains(t.Name)).Select(t => t.Name).ToList();
            if (missing.Count > 0)
            {
                throw new ModelFormatException($"{directory}: the checkpoint lacks {missing.Count} tensor(s) a {config.ModelType} model with this config needs, e.g. " +
                    string.Join(", ", missing.Take(5)) + ".");
            }
            foreach (var t in model.Parameters.Tensors)
            {
                var info = weights.Info(t.Name);
                if (!info.Shape.SequenceEqual(t.Shape.Select(x => (long)x)))
                {
                    throw new ModelFormatException($"{weights.FileOf(t.Name).Path}: tensor '{t.Name}' has shape [{string.Join(", ", info.Shape)}], but config.json implies [{string.Join(", ", t.Shape)}].");
                }
                if (!info.DType.IsReadableAsFloat())
                {
                    throw new ModelFormatException($"{weights.FileOf(t.Name).Path}: tensor '{t.Name}' has dtype {info.DType}; quantized or integer weights are not supported.");
                }
                var host = new float[t.Length];
                weights.ReadFloat32(t.Name, host);
                backend.Upload(host, t.Value);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>
    /// Writes the model to <paramref name="directory"/> in Hugging Face layout: every base tensor under its original name
    /// (LoRA factors merged: W + α/r·B·A), sharded with an index when large, plus the config, generation config and
    /// tokenizer files of <paramref name="sourceDirectory"/>. The directory is replaced atomically: everything is
    /// written to a temporary sibling that is renamed into place.
    /// </summary>
    public static void Save(TransformerModel model, string directory, string? sourceDirectory, CheckpointSaveOptions? options = null)
    {
        options ??= new CheckpointSaveOptions();
        directory = Path.GetFullPath(directory.TrimEnd(Path.DirectorySeparatorChar));
        string parent = Path.GetDirectoryName(directory)!;
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(directory)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            WriteTensors(temporary, ExportTensors(model), options);
            if (sourceDirectory is not null) CopyCompanionFiles(sourceDirectory, temporary);
            if (!File.Exists(Path.Combine(temporary, "config.json")))
            {
                throw new ModelFormatException($"Cannot save to {directory}: no config.json in the source directory '{sourceDirectory}'.");
            }
            ReplaceDirectory(temporary, directory);
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    /// <summary>Copies config, generation config and tokenizer files that exist in <paramref name="source"/>.</summary>
    internal static void CopyCompanionFiles(string source, string target)
    {
        foreach (var file in CompanionFiles)
        {
            string path = Path.Combine(source, file);
            if (File.Exists(path)) File.Copy(path, Path.Combine(target, file), overwrite: true);
        }
    }

    /// <summary>Moves <paramref name="temporary"/> to <paramref name="target"/>, replacing an existing directory.</summary>
    internal static void ReplaceDirectory(string temporary, string target)
    {
        string? old = null;
        if (Directory.Exists(target))
        {
            old = target + $".old-{Guid.NewGuid():N}";
            Directory.Move(target, old);
        }
        Directory.Move(temporary, target);
        if (old is not null) Directory.Delete(old, recursive: true);
    }

    /// <summary>The tensors of the saved checkpoint (merged LoRA), in parameter order, each with a host value source.</summary>
    public static IReadOnlyList<(string Name, int[] Shape, Func<float[]> Values)> ExportTensors(TransformerModel model)
    {
        var list = new List<(string, int[], Func<float[]>)>();
        var lora = model.LinearModules.Where(m => m.Lora is not null).ToDictionary(m => m.Weight.Name);
        foreach (var t in model.Parameters.Tensors)
        {
            if (t.Kind is ParameterKind.LoraA or ParameterKind.LoraB) continue;
            var tensor = t;
            if (lora.TryGetValue(t.Name, out var module))
            {
                list.Add((t.Name, t.Shape.ToArray(), () => MergedWeight(model, module)));
            }
            else
            {
                list.Add((t.Name, t.Shape.ToArray(), () => model.Parameters.ReadHost(tensor)));
            }
        }
        return list;
    }

    private static float[] MergedWeight(TransformerModel model, LinearModule module)
    {
        var lora = module.Lora!;
        var w = model.Parameters.ReadHost(module.Weight);
        var a = model.Parameters.ReadHost(lora.A);
        var b = model.Parameters.ReadHost(lora.B);
        int r = lora.Rank, inF = module.In, outF = module.Out;
        for (int o = 0; o < outF; o++)
        {
            for (int k = 0; k < r; k++)
            {
                float s = lora.Scale * b[o * r + k];
                if (s == 0) continue;
                for (int i = 0; i < inF; i++) w[(long)o * inF + i] += s * a[(long)k * inF + i];
            }
        }
        return w;
    }

    /// <summary>Writes tensors as model.safetensors, or as shards with an index when larger than the shard limit.</summary>
    internal static void WriteTensors(string directory, IReadOnlyList<(string Name, int[] Shape, Func<float[]> Values)> tensors, CheckpointSaveOptions options)
    {
        int elementSize = options.DType.Size();
        var shards = new List<List<(string Name, int[] Shape, Func<float[]> Values)>> { new() };
        long shardBytes = 0, totalBytes = 0;
        foreach (var t in tensors)
        {
            long bytes = t.Shape.Aggregate(1L, (x, y) => x * y) * elementSize;
            if (shards[^1].Count > 0 && shardBytes + bytes > options.MaxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(t);
            shardBytes += bytes;
            totalBytes += bytes;
        }

        SafetensorsTensor Entry((string Name, int[] Shape, Func<float[]> Values) t)
        {
            float[]? cached = null;
            return SafetensorsTensor.FromSource(t.Name, t.Shape.Select(x => (long)x).ToArray(), (offset, dst) =>
            {
                cached ??= t.Values();
                cached.AsSpan((int)offset, dst.Length).CopyTo(dst);
            }, options.DType);
        }

        if (shards.Count == 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, SafetensorsDirectory.SingleFileName), shards[0].Select(Entry).ToArray());
            return;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string file = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
            SafetensorsWriter.Write(Path.Combine(directory, file), shards[i].Select(Entry).ToArray());
            foreach (var t in shards[i]) weightMap[t.Name] = file;
        }
        var index = new { metadata = new { total_size = totalBytes }, weight_map = weightMap };
        SafetensorsWriter.WriteTextAtomic(Path.Combine(directory, SafetensorsDirectory.IndexFileName),
            JsonSerializer.Serialize(index, new JsonSerializerOptions { WriteIndented = true }));
    }
}
