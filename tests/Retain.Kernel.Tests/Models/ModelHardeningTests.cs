using System.Text.Json.Nodes;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Kernel.Tests.Training;
using Tokenizer = Retain.Kernel.Tokenization.Tokenizer;

namespace Retain.Kernel.Tests.Models;

/// <summary>Hostile model folders (issue 15, items 11, 12 and 14): each is refused at load, naming the file and key or tensor.</summary>
public sealed class ModelHardeningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-hostile").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Crafted(string name, string fixture = "llama3") => ModelFolders.Copy(TrainingTestData.Fixture(fixture), Path.Combine(_dir, name));

    private static ModelFormatException LoadFails(string folder)
    {
        using var backend = TrainingTestData.Backend();
        return Should.Throw<ModelFormatException>(() => Checkpoint.Load(folder, backend).Dispose());
    }

    [Fact]
    public void NaN_and_infinite_weights_are_refused_naming_the_tensor_and_count()
    {
        string folder = Crafted("nan");
        ModelFolders.RewriteWeights(folder, SafetensorsDType.BF16, change: (name, values) =>
        {
            if (name != "model.layers.1.mlp.up_proj.weight") return;
            values[3] = float.NaN;
            values[5] = float.NaN;
            values[^1] = float.NegativeInfinity;
        });
        LoadFails(folder).Message.ShouldBe($"{Path.Combine(folder, "model.safetensors")}: tensor 'model.layers.1.mlp.up_proj.weight' has 2 NaN and 1 infinite value(s) among its 1536 elements; the weights are damaged (re-download or re-export the checkpoint).");
    }

    [Theory]
    [InlineData("rope_theta", "0", "key 'rope_theta' must be a positive number, not 0.")]
    [InlineData("rope_theta", "-10000", "key 'rope_theta' must be a positive number, not -10000.")]
    [InlineData("rms_norm_eps", "-1e-06", "key 'rms_norm_eps' must be a non-negative number, not -1E-06.")]
    [InlineData("rope_scaling", """{"rope_type": "llama3", "factor": 0, "low_freq_factor": 1, "high_freq_factor": 4, "original_max_position_embeddings": 8192}""", "key 'rope_scaling.factor' must be a positive number, not 0.")]
    [InlineData("rope_scaling", """{"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 4}""", "key 'rope_scaling.high_freq_factor' must be larger than low_freq_factor (4), not 4 (llama3 scaling divides by their difference).")]
    [InlineData("rope_scaling", """{"rope_type": 5}""", "key 'rope_scaling.rope_type' must be a string (default, linear, llama3), not 5.")]
    [InlineData("rope_scaling", """{"type": "linear", "factor": "2"}""", "key 'rope_scaling.factor' must be a number, not \"2\".")]
    [InlineData("num_attention_heads", "2000000000", "key 'hidden_size': 32 is not divisible by num_attention_heads 2000000000 and head_dim is not given.")]
    public void Invalid_config_values_are_refused_with_their_key(string key, string json, string message)
    {
        string folder = Crafted("config");
        ModelFolders.EditConfig(folder, c =>
        {
            c.Remove("head_dim");
            c[key] = JsonNode.Parse(json);
        });
        LoadFails(folder).Message.ShouldBe($"{Path.Combine(folder, "config.json")}: {message}");
    }

    [Fact]
    public void Heads_times_head_dim_beyond_a_tensor_dimension_is_refused_by_key()
    {
        string folder = Crafted("heads");
        ModelFolders.EditConfig(folder, c =>
        {
            c["num_attention_heads"] = 2_000_000_000;
            c["num_key_value_heads"] = 2_000_000_000;
            c["head_dim"] = 16;
        });
        LoadFails(folder).Message.ShouldBe($"{Path.Combine(folder, "config.json")}: key 'num_attention_heads': num_attention_heads 2000000000 × head_dim 16 = 32000000000 exceeds the largest tensor dimension (2147483647).");
    }

    [Theory]
    [InlineData("num_hidden_layers", 1_000_000, "config.json: key 'num_hidden_layers' is 1000000, but the checkpoint in {0} has tensors for 2 layer(s) (model.layers.0 to model.layers.1).")]
    [InlineData("vocab_size", int.MaxValue, "model.safetensors: tensor 'model.embed_tokens.weight' has shape [96, 32], but {1} implies [2147483647, 32] (vocab_size × hidden_size).")]
    [InlineData("intermediate_size", 1 << 30, "model.safetensors: tensor 'model.layers.0.mlp.gate_proj.weight' has shape [48, 32], but {1} implies [1073741824, 32] (intermediate_size, hidden_size).")]
    public void A_config_claiming_huge_sizes_is_checked_against_the_tensors_before_anything_is_allocated(string key, int value, string message)
    {
        string folder = Crafted("huge");
        ModelFolders.EditConfig(folder, c => c[key] = value);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = LoadFails(folder);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        e.Message.ShouldEndWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, message, folder, Path.Combine(folder, "config.json")));
        allocated.ShouldBeLessThan(64L << 20, "the mismatch is found from the headers, before the model's buffers exist");
    }

    [Fact]
    public void A_safetensors_header_that_is_not_UTF8_is_refused_with_the_byte_offset()
    {
        string folder = Crafted("utf8");
        string path = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(path);
        int name = IndexOf(bytes, "model.norm.weight"u8.ToArray());
        bytes[name + 2] = 0xFF;
        File.WriteAllBytes(path, bytes);
        LoadFails(folder).Message.ShouldBe($"{path}: the header is not valid UTF-8 at byte {name + 2} of the file (0xFF, offset {name + 2 - 8} in the {BitConverter.ToUInt64(bytes, 0)}-byte header); a safetensors header must be UTF-8 JSON.");
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        }
        throw new InvalidOperationException("not found");
    }

    [Fact]
    public void Token_ids_at_or_beyond_vocab_size_are_refused_at_load_naming_the_file_and_key()
    {
        using var backend = TrainingTestData.Backend();
        string stories = ModelFolders.Copy(TrainingTestData.Stories, Path.Combine(_dir, "stories"));
        ModelFolders.EditConfig(stories, c => c["eos_token_id"] = 512);
        var tokenizer = Tokenizer.Load(TrainingTestData.Stories);
        Should.Throw<ModelFormatException>(() => KernelLanguageModel.Load(stories, backend, tokenizer, null)).Message
            .ShouldBe($"{Path.Combine(stories, "config.json")}: key 'eos_token_id' is 512, but the embedding has vocab_size = 512 rows ({Path.Combine(stories, "config.json")}), so ids must be below 512.");

        ModelFolders.EditConfig(stories, c => c["eos_token_id"] = 2);
        File.WriteAllText(Path.Combine(stories, "generation_config.json"), """{"pad_token_id": 900}""");
        Should.Throw<ModelFormatException>(() => KernelLanguageModel.Load(stories, backend, tokenizer, null)).Message
            .ShouldStartWith($"{Path.Combine(stories, "generation_config.json")}: key 'pad_token_id' is 900, but the embedding has vocab_size = 512 rows");
        File.Delete(Path.Combine(stories, "generation_config.json"));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(stories, "tokenizer.json")))!.AsObject();
        var added = json["added_tokens"] as JsonArray ?? [];
        added.Add(new JsonObject { ["id"] = 600, ["content"] = "<extra>", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = true });
        json["added_tokens"] = added;
        File.WriteAllText(Path.Combine(stories, "tokenizer.json"), json.ToJsonString());
        var grown = Tokenizer.Load(stories);
        Should.Throw<ModelFormatException>(() => KernelLanguageModel.Load(stories, backend, grown, null)).Message
            .ShouldBe($"{Path.Combine(stories, "tokenizer.json")}: token '<extra>' has id 600, but the embedding has vocab_size = 512 rows ({Path.Combine(stories, "config.json")}), so ids must be below 512; the tokenizer and the weights do not belong together.");
    }
}
