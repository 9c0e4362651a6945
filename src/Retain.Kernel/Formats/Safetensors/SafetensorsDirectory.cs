using System.Text.Json;

namespace Retain.Kernel.Formats.Safetensors;

/// <summary>
/// The weights of a Hugging Face model directory: <c>model.safetensors</c>, or the shards listed by
/// <c>model.safetensors.index.json</c> (every listed tensor must be in the shard the index names).
/// </summary>
public sealed class SafetensorsDirectory : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, SafetensorsFile> _byTensor;
    private readonly List<SafetensorsFile> _files;

    private SafetensorsDirectory(string directory, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        Directory = directory;
        _files = files;
        _byTensor = byTensor;
    }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>The opened files.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>Every tensor name, sorted.</summary>
    public IEnumerable<string> TensorNames => _byTensor.Keys.OrderBy(n => n, StringComparer.Ordinal);

    /// <summary>Whether a tensor exists.</summary>
    public bool Contains(string name) => _byTensor.ContainsKey(name);

    /// <summary>The file that holds a tensor.</summary>
    public SafetensorsFile FileOf(string name) => _byTensor.TryGetValue(name, out var f)
        ? f
        : throw new SafetensorsFormatException($"{Directory}: the checkpoint has no tensor named '{name}'.");

    /// <summary>A tensor's description.</summary>
    public SafetensorsTensorInfo Info(string name) => FileOf(name)[name];

    /// <summary>Reads a tensor as float32.</summary>
    public void ReadFloat32(string name, Span<float> destination) => FileOf(name).ReadFloat32(name, destination);

    /// <summary>Whether <paramref name="directory"/> holds safetensors weights.</summary>
    public static bool Exists(string directory) =>
        File.Exists(Path.Combine(directory, SingleFileName)) || File.Exists(Path.Combine(directory, IndexFileName));

    /// <summary>Opens the weights of a model directory.</summary>
    public static SafetensorsDirectory Open(string directory)
    {
        directory = Path.GetFullPath(directory);
        string single = Path.Combine(directory, SingleFileName);
        string index = Path.Combine(directory, IndexFileName);
        var files = new List<SafetensorsFile>();
        var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(index))
            {
                foreach (var (tensor, shard) in ReadIndex(index))
                {
                    var file = files.FirstOrDefault(f => Path.GetFileName(f.Path) == shard);
                    if (file is null)
                    {
                        string shardPath = Path.Combine(directory, shard);
                        if (!File.Exists(shardPath)) throw new SafetensorsFormatException($"{index}: shard '{shard}' (for tensor '{tensor}') does not exist.");
                        file = SafetensorsFile.Open(shardPath);
                        files.Add(file);
                    }
                    if (!file.Contains(tensor)) throw new SafetensorsFormatException($"{index}: tensor '{tensor}' is mapped to '{shard}', which does not contain it.");
                    byTensor[tensor] = file;
                }
            }
            else if (File.Exists(single))
            {
                var file = SafetensorsFile.Open(single);
                files.Add(file);
                foreach (var t in file.Tensors) byTensor[t.Name] = file;
            }
            else
            {
                string hint = File.Exists(Path.Combine(directory, "pytorch_model.bin"))
                    ? " It has pytorch_model.bin; convert it to safetensors first (pickle checkpoints are not read)."
                    : "";
                throw new SafetensorsFormatException($"{directory}: no {SingleFileName} or {IndexFileName}.{hint}");
            }
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
        return new SafetensorsDirectory(directory, files, byTensor);
    }

    private static IEnumerable<(string Tensor, string Shard)> ReadIndex(string index)
    {
        if (FileLinks.Target(index) is null) throw new SafetensorsFormatException($"{index}: cannot be read: {FileLinks.Problem(index)}.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(index));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException($"{index}: {JsonErrors.Describe(e)}.", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException($"{index}: missing the 'weight_map' object.");
            }
            var result = new List<(string, string)>();
            foreach (var p in map.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw new SafetensorsFormatException($"{index}: weight_map entry '{p.Name}' must be a file name.");
                string shard = p.Value.GetString()!;
                if (shard.Contains('/') || shard.Contains('\\') || shard.Contains("..")) throw new SafetensorsFormatException($"{index}: shard name '{shard}' must be a plain file name.");
                result.Add((p.Name, shard));
            }
            return result;
        }
    }

    /// <summary>Closes every file.</summary>
    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
