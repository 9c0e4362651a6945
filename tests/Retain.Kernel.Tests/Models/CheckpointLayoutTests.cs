using System.Text;
using System.Text.Json;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Kernel.Tests.Training;

namespace Retain.Kernel.Tests.Models;

/// <summary>Checkpoints as the Hub has them (sharded, bf16 or fp16, tied or untied heads) and saved as transformers saves them.</summary>
public sealed class CheckpointLayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-layout").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("llama3", SafetensorsDType.BF16, 3)] // untied head
    [InlineData("qwen2", SafetensorsDType.F16, 2)]   // tied head
    [InlineData("qwen3", SafetensorsDType.BF16, 1)]
    public void Sharded_bf16_and_fp16_checkpoints_load_converted_to_float32(string fixture, SafetensorsDType dtype, int shards)
    {
        string folder = ModelFolders.Copy(TrainingTestData.Fixture(fixture), Path.Combine(_dir, fixture));
        ModelFolders.RewriteWeights(folder, dtype, shards);
        using var backend = TrainingTestData.Backend();
        using var original = Checkpoint.Load(TrainingTestData.Fixture(fixture), backend);
        using var converted = Checkpoint.Load(folder, backend);
        Checkpoint.StoredDType(folder).ShouldBe(dtype);
        foreach (var t in original.Parameters.Tensors)
        {
            var expected = original.Parameters.ReadHost(t).Select(x => dtype == SafetensorsDType.BF16
                ? SafetensorsDTypes.FromBFloat16(SafetensorsDTypes.ToBFloat16(x))
                : (float)(Half)x).ToArray();
            converted.Parameters.ReadHost(converted.Parameters[t.Name]).ShouldBe(expected, t.Name);
        }
    }

    [Fact]
    public void Shards_follow_huggingface_hub_rule_and_the_index_is_byte_identical_to_transformers_json()
    {
        // Four tensors of 40, 400, 40 and 40 bytes with a 100-byte limit: the oversized one gets a shard of its own
        // and the shard being filled goes on (huggingface_hub split_state_dict_into_shards_factory).
        var tensors = new (string Name, int[] Shape, Func<float[]> Values)[]
        {
            ("model.embed_tokens.weight", [10], () => Enumerable.Range(0, 10).Select(i => (float)i).ToArray()),
            ("model.layers.0.mlp.up_proj.weight", [10, 10], () => new float[100]),
            ("model.layers.0.input_layernorm.weight", [10], () => new float[10]),
            ("lm_head.weight", [10], () => new float[10]),
        };
        string target = Directory.CreateDirectory(Path.Combine(_dir, "shards")).FullName;
        Checkpoint.WriteTensors(target, tensors, new CheckpointSaveOptions { MaxShardBytes = 100 });

        Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(
            ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors", "model.safetensors.index.json"]);
        // The expected text is what transformers writes: json.dumps(index, indent=2, sort_keys=True) + "\n" with
        // index = {"metadata": {"total_parameters": 130, "total_size": 520}, "weight_map": {...}} (Python 3.11).
        string expected = """
            {
              "metadata": {
                "total_parameters": 130,
                "total_size": 520
              },
              "weight_map": {
                "lm_head.weight": "model-00003-of-00003.safetensors",
                "model.embed_tokens.weight": "model-00002-of-00003.safetensors",
                "model.layers.0.input_layernorm.weight": "model-00002-of-00003.safetensors",
                "model.layers.0.mlp.up_proj.weight": "model-00001-of-00003.safetensors"
              }
            }

            """.Replace("\r\n", "\n");
        File.ReadAllText(Path.Combine(target, SafetensorsDirectory.IndexFileName)).ShouldBe(expected);

        using var second = SafetensorsFile.Open(Path.Combine(target, "model-00002-of-00003.safetensors"));
        second.Metadata.ShouldBe(new Dictionary<string, string> { ["format"] = "pt" });
        // The header lists tensors in safetensors' data order (dtype, then name), as its serializer does.
        string header = HeaderText(Path.Combine(target, "model-00002-of-00003.safetensors"));
        header.ShouldStartWith("""{"__metadata__":{"format":"pt"},"model.embed_tokens.weight":{"dtype":"F32","shape":[10],"data_offsets":[0,40]},"model.layers.0.input_layernorm.weight":{"dtype":"F32","shape":[10],"data_offsets":[40,80]}}""");
        second.ReadFloat32("model.embed_tokens.weight").ShouldBe(Enumerable.Range(0, 10).Select(i => (float)i).ToArray());
    }

    private static string HeaderText(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int length = (int)BitConverter.ToUInt64(bytes, 0);
        length.ShouldBe(length / 8 * 8, "the header is padded to 8 bytes");
        return Encoding.UTF8.GetString(bytes, 8, length).TrimEnd(' ');
    }

    [Fact]
    public void A_model_saved_in_bf16_shards_lists_tensors_in_state_dict_order_and_loads_back()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Fixture("llama3"), backend);
        string target = Path.Combine(_dir, "saved");
        Checkpoint.Save(model, target, TrainingTestData.Fixture("llama3"), new CheckpointSaveOptions { DType = SafetensorsDType.BF16, MaxShardBytes = 4000 });

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, SafetensorsDirectory.IndexFileName)));
        var map = index.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var order = ParameterLayout.InStateDictOrder(model.Config).Select(s => s.Name).ToList();
        map.Keys.Order(StringComparer.Ordinal).ShouldBe(order.Order(StringComparer.Ordinal));
        map.Values.Distinct().Count().ShouldBeGreaterThan(1);
        index.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64().ShouldBe(model.Parameters.ElementCount * 2);
        index.RootElement.GetProperty("metadata").GetProperty("total_parameters").GetInt64().ShouldBe(model.Parameters.ElementCount);

        using var reloaded = Checkpoint.Load(target, backend);
        foreach (var t in model.Parameters.Tensors)
        {
            var rounded = model.Parameters.ReadHost(t).Select(x => SafetensorsDTypes.FromBFloat16(SafetensorsDTypes.ToBFloat16(x))).ToArray();
            reloaded.Parameters.ReadHost(reloaded.Parameters[t.Name]).ShouldBe(rounded, t.Name);
        }
    }

    /// <summary>
    /// The llama3 fixture saved in BF16 shards of at most 16 kB must match, file for file, the committed
    /// <c>Fixtures/saved-llama3-bf16</c>, which <c>tests/reference/check_saved_checkpoint.py</c> verifies with PyTorch
    /// against transformers' and safetensors' rules. <c>RETAIN_WRITE_FIXTURES=1</c> rewrites the fixture.
    /// </summary>
    [Fact]
    public void Saving_reproduces_the_committed_checkpoint_that_PyTorch_verified()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Fixture("llama3"), backend);
        string fixture = TrainingTestData.Fixture("saved-llama3-bf16");
        string target = Environment.GetEnvironmentVariable("RETAIN_WRITE_FIXTURES") == "1" ? fixture : Path.Combine(_dir, "saved-llama3-bf16");
        Checkpoint.Save(model, target, TrainingTestData.Fixture("llama3"), new CheckpointSaveOptions { DType = SafetensorsDType.BF16, MaxShardBytes = 16_000 });
        var expected = Directory.GetFiles(fixture).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe(expected);
        foreach (var file in expected) File.ReadAllBytes(Path.Combine(target, file!)).ShouldBe(File.ReadAllBytes(Path.Combine(fixture, file!)), file);
    }

    [Fact]
    public void Generation_config_end_ids_and_penalty_are_read()
    {
        string folder = ModelFolders.Copy(TrainingTestData.Fixture("qwen2"), Path.Combine(_dir, "generation"));
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"bos_token_id": 1, "eos_token_id": [2, 7], "pad_token_id": 0, "repetition_penalty": 1.1}""");
        var generation = GenerationConfig.Load(folder);
        generation.EosTokenIds.ShouldBe([2, 7]);
        generation.PadTokenId.ShouldBe(0);
        generation.RepetitionPenalty.ShouldBe(1.1);
    }
}
