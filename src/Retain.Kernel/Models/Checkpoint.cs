using System.Buffers;
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

    /// <summary>
    /// Loads a model onto a backend: a Hugging Face folder or hub-cache folder (see <see cref="ModelSource"/>). Before
    /// anything is allocated, every tensor the config implies is checked against the checkpoint's headers (present,
    /// same shape, a float dtype), so a config claiming sizes the files do not hold fails naming the first mismatch.
    /// Tensors are then converted to float32 chunk by chunk straight from the memory-mapped files into the backend's
    /// buffers, each checked for NaN and infinite values, and their mapped pages released, so the peak memory is the
    /// float32 weights rather than the weights plus a copy of the files.
    /// </summary>
    public static TransformerModel Load(string directory, IBackend backend, ModelOptions? options = null)
    {
        directory = ModelSource.Resolve(directory);
        var config = ModelConfig.Load(directory);
        using var weights = SafetensorsDirectory.Open(directory);
        CheckTensors(directory, config, weights);
        var model = new TransformerModel(config, backend, options);
        try
        {
            float[] chunk = ArrayPool<float>.Shared.Rent(LoadChunkElements);
            try
            {
                foreach (var t in model.Parameters.Tensors) LoadTensor(weights, t, backend, chunk);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(chunk);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    private const int LoadChunkElements = 1 << 20;

    /// <summary>
    /// Checks a model folder without loading its weights: config.json's values, and every tensor it implies against the
    /// checkpoint's headers (what <see cref="Load"/> checks before allocating; not the weights' values).
    /// </summary>
    public static ModelConfig Inspect(string directory)
    {
        directory = ModelSource.Resolve(directory);
        var config = ModelConfig.Load(directory);
        using var weights = SafetensorsDirectory.Open(directory);
        CheckTensors(directory, config, weights);
        return config;
    }

    /// <summary>The dtype most of a checkpoint's weights are stored in (by bytes), e.g. to save a fine-tuned model as its base was.</summary>
    public static SafetensorsDType StoredDType(string directory)
    {
        using var weights = SafetensorsDirectory.Open(ModelSource.Resolve(directory));
        return weights.TensorNames.Select(weights.Info).GroupBy(t => t.DType).MaxBy(g => g.Sum(t => t.ByteLength))?.Key ?? SafetensorsDType.F32;
    }

    /// <summary>Checks the config's tensors against the checkpoint's headers, allocating nothing per tensor; throws naming the first mismatch.</summary>
    internal static void CheckTensors(string directory, ModelConfig config, SafetensorsDirectory weights)
    {
        string configFile = Path.Combine(directory, "config.json");
        // A layer count beyond the checkpoint's is named by its key before millions of missing names are produced.
        int layersPresent = 0;
        foreach (var name in weights.TensorNames)
        {
            const string Prefix = "model.layers.";
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int dot = name.IndexOf('.', Prefix.Length);
            if (dot > 0 && int.TryParse(name.AsSpan(Prefix.Length, dot - Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int layer))
            {
                layersPresent = Math.Max(layersPresent, layer + 1);
            }
        }
        if (config.LayerCount > layersPresent)
        {
            string present = layersPresent == 0 ? "no model.layers.* tensors" : $"tensors for {layersPresent} layer(s) (model.layers.0 to model.layers.{layersPresent - 1})";
            throw new ModelFormatException($"{configFile}: key 'num_hidden_layers' is {config.LayerCount}, but the checkpoint in {directory} has {present}.");
        }
        foreach (var spec in ParameterLayout.InStateDictOrder(config))
        {
            if (!weights.Contains(spec.Name))
            {
                string tied = spec.Kind == ParameterKind.LmHead && weights.Contains("model.embed_tokens.weight")
                    ? " (set tie_word_embeddings to true if the head shares the embedding)"
                    : "";
                throw new ModelFormatException($"{directory}: the checkpoint has no tensor '{spec.Name}', which a {config.ModelType} model with this config.json needs{tied}.");
            }
            var info = weights.Info(spec.Name);
            if (!info.Shape.SequenceEqual(spec.Shape.Select(x => (long)x)))
            {
                throw new ModelFormatException($"{weights.FileOf(spec.Name).Path}: tensor '{spec.Name}' has shape [{string.Join(", ", info.Shape)}], but {configFile} implies [{string.Join(", ", spec.Shape)}] ({spec.Keys}).");
            }
            if (!info.DType.IsReadableAsFloat())
            {
                throw new ModelFormatException($"{weights.FileOf(spec.Name).Path}: tensor '{spec.Name}' has dtype {info.DType}; quantized or integer weights are not supported (F32, BF16, F16, F64 are).");
            }
        }
    }

    private static void LoadTensor(SafetensorsDirectory weights, ParameterTensor t, IBackend backend, float[] chunk)
    {
        var file = weights.FileOf(t.Name);
        var info = file[t.Name];
        long nan = 0, infinite = 0;
        for (long offset = 0; offset < t.Length; offset += chunk.Length)
        {
            var span = chunk.AsSpan(0, (int)Math.Min(chunk.Length, t.Length - offset));
            file.ReadFloat32(info, offset, span);
            if (!AllFinite(span))
            {
                foreach (float x in span)
                {
                    if (float.IsNaN(x)) nan++;
                    else if (float.IsInfinity(x)) infinite++;
                }
            }
            backend.Upload(span, t.Value.Slice(offset, span.Length));
        }
        file.ReleasePages(info);
        if (nan + infinite > 0)
        {
            string converted = info.DType == SafetensorsDType.F64 ? " (after conversion from F64 to float32)" : "";
            throw new ModelFormatException($"{file.Path}: tensor '{t.Name}' has {nan} NaN and {infinite} infinite value(s) among its {t.Length} elements{converted}; the weights are damaged (re-download or re-export the checkpoint).");
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        // x − x is 0 for every finite x and NaN for NaN and ±∞.
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(values);
            foreach (var v in floats)
            {
                if (!System.Numerics.Vector.EqualsAll(v - v, System.Numerics.Vector<float>.Zero)) return false;
            }
            i = floats.Length * System.Numerics.Vector<float>.Count;
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return false;
        }
        return true;
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

    /// <summary>The tensors of the saved checkpoint (merged LoRA), in transformers' state_dict order, each with a host value source.</summary>
    public static IReadOnlyList<(string Name, int[] Shape, Func<float[]> Values)> ExportTensors(TransformerModel model)
    {
        var list = new List<(string, int[], Func<float[]>)>();
        var lora = model.LinearModules.Where(m => m.Lora is not null).ToDictionary(m => m.Weight.Name);
        foreach (var spec in ParameterLayout.InStateDictOrder(model.Config))
        {
            var t = model.Parameters[spec.Name];
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

    /// <summary>
    /// Writes tensors as transformers' <c>save_pretrained</c> does: <c>model.safetensors</c>, or, above the shard limit,
    /// <c>model-00001-of-0000N.safetensors</c> shards split by huggingface_hub's rule (tensors in order; a shard is closed
    /// when the next tensor would overflow it; a tensor larger than the limit gets a shard of its own) and
    /// <c>model.safetensors.index.json</c> written as <c>json.dumps(index, indent=2, sort_keys=True) + "\n"</c>.
    /// </summary>
    internal static void WriteTensors(string directory, IReadOnlyList<(string Name, int[] Shape, Func<float[]> Values)> tensors, CheckpointSaveOptions options)
    {
        int elementSize = options.DType.Size();
        long Bytes((string Name, int[] Shape, Func<float[]> Values) t) => t.Shape.Aggregate(1L, (x, y) => x * y) * elementSize;

        var shards = new List<List<(string Name, int[] Shape, Func<float[]> Values)>>();
        var current = new List<(string Name, int[] Shape, Func<float[]> Values)>();
        long currentBytes = 0, totalBytes = 0, totalElements = 0;
        foreach (var t in tensors)
        {
            long bytes = Bytes(t);
            totalBytes += bytes;
            totalElements += bytes / elementSize;
            if (bytes > options.MaxShardBytes)
            {
                shards.Add([t]);
                continue;
            }
            if (currentBytes + bytes > options.MaxShardBytes)
            {
                shards.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(t);
            currentBytes += bytes;
        }
        if (current.Count > 0) shards.Add(current);

        SafetensorsTensor Entry((string Name, int[] Shape, Func<float[]> Values) t)
        {
            float[]? cached = null;
            long length = t.Shape.Aggregate(1L, (x, y) => x * y);
            return SafetensorsTensor.FromSource(t.Name, t.Shape.Select(x => (long)x).ToArray(), (offset, dst) =>
            {
                cached ??= t.Values();
                cached.AsSpan((int)offset, dst.Length).CopyTo(dst);
                if (offset + dst.Length == length) cached = null; // one tensor's host copy at a time, not a shard's
            }, options.DType);
        }

        if (shards.Count <= 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, SafetensorsDirectory.SingleFileName), shards.SelectMany(x => x).Select(Entry).ToArray());
            return;
        }
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < shards.Count; i++)
        {
            string file = ShardFileName(i, shards.Count);
            SafetensorsWriter.Write(Path.Combine(directory, file), shards[i].Select(Entry).ToArray());
            foreach (var t in shards[i]) weightMap[t.Name] = file;
        }
        SafetensorsWriter.WriteTextAtomic(Path.Combine(directory, SafetensorsDirectory.IndexFileName), IndexJson(totalElements, totalBytes, weightMap));
    }

    /// <summary>The name transformers gives shard <paramref name="index"/> (0-based) of <paramref name="count"/>.</summary>
    public static string ShardFileName(int index, int count) => $"model-{index + 1:D5}-of-{count:D5}.safetensors";

    /// <summary>
    /// The index file's text, byte for byte as transformers writes it: <c>{"metadata": {"total_parameters", "total_size"},
    /// "weight_map"}</c> with sorted keys, two-space indents and a final newline.
    /// </summary>
    internal static string IndexJson(long totalParameters, long totalBytes, IReadOnlyDictionary<string, string> weightMap)
    {
        var buffer = new MemoryStream();
        var writerOptions = new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, writerOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_parameters", totalParameters);
            json.WriteNumber("total_size", totalBytes);
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (name, file) in weightMap.OrderBy(p => p.Key, StringComparer.Ordinal)) json.WriteString(name, file);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
