using System.Security.Cryptography;
using System.Text;
using Retain.Kernel.Training;

namespace Retain.Kernel.Models;

/// <summary>SHA-256 content hashes that key caches: of a model directory, of in-memory weights, of tokenized data.</summary>
public static class ContentHash
{
    /// <summary>Tokenizer files included in model hashes.</summary>
    public static readonly IReadOnlyList<string> TokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model", "vocab.json", "merges.txt", "added_tokens.json", "chat_template.jinja"];

    /// <summary>Hash of a model directory: config.json, every safetensors file and index, and the tokenizer files.</summary>
    public static string OfModelDirectory(string directory)
    {
        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".safetensors", StringComparison.Ordinal) || f.EndsWith(".safetensors.index.json", StringComparison.Ordinal)
                || Path.GetFileName(f) == "config.json" || TokenizerFiles.Contains(Path.GetFileName(f)))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0) throw new ModelFormatException($"{directory}: no model files to hash.");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hash of a model's current weights (every parameter, by name) and the tokenizer files of <paramref name="tokenizerDirectory"/>.</summary>
    public static string OfModel(TransformerModel model, string? tokenizerDirectory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var t in Checkpoint.ExportTensors(model))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(t.Name + "\n"));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Values().AsSpan()));
        }
        if (tokenizerDirectory is not null)
        {
            foreach (var name in TokenizerFiles)
            {
                string path = Path.Combine(tokenizerDirectory, name);
                if (!File.Exists(path)) continue;
                hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
                hash.AppendData(File.ReadAllBytes(path));
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hash of tokenized training data: example indexes, ids and supervision masks, in order.</summary>
    public static string OfSequences(IReadOnlyList<TrainingSequence> sequences)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> scratch = stackalloc byte[4];
        foreach (var s in sequences)
        {
            BitConverter.TryWriteBytes(scratch, s.ExampleIndex);
            hash.AppendData(scratch);
            BitConverter.TryWriteBytes(scratch, s.Length);
            hash.AppendData(scratch);
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.Ids.AsSpan()));
            var mask = new byte[s.Supervised.Length];
            for (int i = 0; i < mask.Length; i++) mask[i] = s.Supervised[i] ? (byte)1 : (byte)0;
            hash.AppendData(mask);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
