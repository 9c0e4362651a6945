using System.Text.Json.Nodes;
using Retain.Kernel.Formats.Safetensors;

namespace Retain.Kernel.Tests.Models;

/// <summary>Crafted model folders: a fixture's config and weights, rewritten with changed keys, dtypes or shards.</summary>
internal static class ModelFolders
{
    /// <summary>Copies every file of <paramref name="source"/> into <paramref name="target"/>.</summary>
    public static string Copy(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        return target;
    }

    /// <summary>Changes config.json keys (null removes a key).</summary>
    public static void EditConfig(string directory, Action<JsonObject> edit)
    {
        string path = Path.Combine(directory, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    /// <summary>
    /// Rewrites the weights of <paramref name="directory"/> as <paramref name="dtype"/>, in <paramref name="shards"/>
    /// files with an index when more than one (tensors dealt in name order), optionally changing values first.
    /// </summary>
    public static void RewriteWeights(string directory, SafetensorsDType dtype, int shards = 1, Action<string, float[]>? change = null)
    {
        var tensors = new List<(string Name, IReadOnlyList<long> Shape, float[] Values)>();
        using (var weights = SafetensorsDirectory.Open(directory))
        {
            foreach (var name in weights.TensorNames)
            {
                var info = weights.Info(name);
                var values = new float[info.ElementCount];
                weights.ReadFloat32(name, values);
                change?.Invoke(name, values);
                tensors.Add((name, info.Shape, values));
            }
        }
        foreach (var old in Directory.GetFiles(directory, "*.safetensors*")) File.Delete(old);
        if (shards == 1)
        {
            SafetensorsWriter.Write(Path.Combine(directory, SafetensorsDirectory.SingleFileName), tensors.Select(t => SafetensorsTensor.FromFloats(t.Name, t.Shape, t.Values, dtype)).ToArray());
            return;
        }
        var map = new JsonObject();
        for (int s = 0; s < shards; s++)
        {
            string file = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = tensors.Where((_, i) => i % shards == s).ToList();
            SafetensorsWriter.Write(Path.Combine(directory, file), part.Select(t => SafetensorsTensor.FromFloats(t.Name, t.Shape, t.Values, dtype)).ToArray());
            foreach (var t in part) map[t.Name] = file;
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = 0 }, ["weight_map"] = map };
        File.WriteAllText(Path.Combine(directory, SafetensorsDirectory.IndexFileName), index.ToJsonString());
    }
}
