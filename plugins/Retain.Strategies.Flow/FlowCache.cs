using Retain.Training;

namespace Retain.Strategies.Flow;

/// <summary>
/// The initial model's per-token losses on the training set, cached on disk under the pre-training context's cache
/// directory and keyed by model and data hashes (τ and the level are applied after loading, so they share a cache).
/// Binary: example count, then per example its token count and float32 losses. Written atomically.
/// </summary>
internal static class FlowCache
{
    private const int Magic = 0x574F4C46; // "FLOW"

    public static string PathFor(IPretrainingContext context)
        => Path.Combine(context.CacheDirectory, "flow", $"{context.ModelHash}-{context.DataHash}.bin");

    public static IReadOnlyList<float[]>? Load(IPretrainingContext context)
    {
        var path = PathFor(context);
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadInt32() != Magic) return null;
            int count = reader.ReadInt32();
            if (count != context.ExampleCount) return null;
            var losses = new float[count][];
            for (int e = 0; e < count; e++)
            {
                losses[e] = new float[reader.ReadInt32()];
                for (int t = 0; t < losses[e].Length; t++) losses[e][t] = reader.ReadSingle();
            }
            return losses;
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or OverflowException)
        {
            return null; // a damaged cache is recomputed, not trusted
        }
    }

    public static void Save(IPretrainingContext context, IReadOnlyList<float[]> losses)
    {
        var path = PathFor(context);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Environment.ProcessId + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(Magic);
            writer.Write(losses.Count);
            foreach (var example in losses)
            {
                writer.Write(example.Length);
                foreach (var value in example) writer.Write(value);
            }
        }
        File.Move(temporary, path, overwrite: true);
    }
}
