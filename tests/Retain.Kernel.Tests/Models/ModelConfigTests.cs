using Retain.Kernel.Models;
using Retain.Testing;

namespace Retain.Kernel.Tests.Models;

public sealed class ModelConfigTests
{
    private static ModelConfig Parse(string json) => ModelConfig.Parse(json, "config.json");

    [Fact]
    public void Stories260K_config_is_read()
    {
        var c = ModelConfig.Load(TestPaths.SharedFile("models", "stories260K"));
        c.Family.ShouldBe(ModelFamily.Llama);
        (c.HiddenSize, c.LayerCount, c.HeadCount, c.KvHeadCount, c.HeadDim, c.VocabSize).ShouldBe((64, 5, 8, 4, 8, 512));
        c.TieWordEmbeddings.ShouldBeTrue();
        c.EosTokenIds.ShouldBe([2]);
        using var weights = Retain.Kernel.Formats.Safetensors.SafetensorsDirectory.Open(TestPaths.SharedFile("models", "stories260K"));
        c.ParameterCount.ShouldBe(weights.TensorNames.Sum(n => weights.Info(n).ElementCount));
    }

    [Fact]
    public void Family_details_follow_the_model_type()
    {
        const string sizes = "\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":6,\"num_attention_heads\":4,\"vocab_size\":100";
        var qwen2 = Parse($"{{\"model_type\":\"qwen2\",{sizes}}}");
        (qwen2.QkvBias, qwen2.OutputBias, qwen2.QkNorm, qwen2.TieWordEmbeddings).ShouldBe((true, false, false, false));
        var qwen3 = Parse($"{{\"model_type\":\"qwen3\",{sizes},\"head_dim\":16}}");
        (qwen3.QkNorm, qwen3.HeadDim, qwen3.QkvBias).ShouldBe((true, 16, false));
        var gemma = Parse($"{{\"model_type\":\"gemma3_text\",{sizes},\"query_pre_attn_scalar\":64}}");
        gemma.NormWeightOffset.ShouldBe(1f);
        gemma.EmbeddingScale.ShouldBe(MathF.Sqrt(32));
        gemma.AttentionScale.ShouldBe(1f / 8);
        gemma.TieWordEmbeddings.ShouldBeTrue();
        gemma.SlidingLayers.ShouldBe([true, true, true, true, true, false]);
        var llama3 = Parse($"{{\"model_type\":\"llama\",{sizes},\"rope_scaling\":{{\"rope_type\":\"llama3\",\"factor\":32.0,\"low_freq_factor\":1.0,\"high_freq_factor\":4.0,\"original_max_position_embeddings\":8192}}}}");
        llama3.RopeScaling!.Type.ShouldBe("llama3");
        llama3.RopeScaling.Factor.ShouldBe(32);
    }

    [Fact]
    public void Transformers_5_rope_parameters_read_as_the_older_top_level_keys()
    {
        const string sizes = "\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":6,\"num_attention_heads\":4,\"vocab_size\":100";
        var old = Parse($$$"""{"model_type":"llama",{{{sizes}}},"rope_theta":500000.0,"rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}""");
        var v5 = Parse($$$"""{"model_type":"llama",{{{sizes}}},"rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}""");
        (v5.RopeTheta, v5.RopeScaling).ShouldBe((old.RopeTheta, old.RopeScaling));
        var qwen = Parse($$$"""{"model_type":"qwen3",{{{sizes}}},"rope_parameters":{"rope_type":"default","rope_theta":1000000}}""");
        (qwen.RopeTheta, qwen.RopeScaling).ShouldBe((1_000_000d, (RopeScaling?)null));
        var gemma = Parse($$$$"""{"model_type":"gemma3_text",{{{{sizes}}}},"rope_parameters":{"full_attention":{"rope_type":"linear","factor":8.0,"rope_theta":1000000.0},"sliding_attention":{"rope_type":"default","rope_theta":10000.0}}}""");
        (gemma.RopeTheta, gemma.RopeLocalTheta, gemma.RopeScaling).ShouldBe((1_000_000d, 10_000d, new RopeScaling("linear", 8)));
        Should.Throw<ModelConfigException>(() => Parse($$$"""{"model_type":"qwen3",{{{sizes}}},"rope_theta":10000,"rope_parameters":{"rope_theta":1000000}}""")).Message
            .ShouldBe("config.json: key 'rope_theta' is 10000, but rope_parameters gives rope_theta 1000000; remove one of them.");
        Should.Throw<ModelConfigException>(() => Parse($$$"""{"model_type":"qwen3",{{{sizes}}},"rope_parameters":{"rope_theta":0}}""")).Message
            .ShouldBe("config.json: key 'rope_parameters.rope_theta' must be a positive number, not 0.");
    }

    [Theory]
    [InlineData("{\"model_type\":\"mistral\",\"hidden_size\":8}", "'mistral' is not supported; supported model types are llama, qwen2, qwen3, gemma3_text")]
    [InlineData("{\"model_type\":\"gemma3\"}", "gemma3_text")]
    [InlineData("{\"hidden_size\":8}", "key 'model_type' is required")]
    [InlineData("{\"model_type\":\"llama\",\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4}", "key 'hidden_size' is required")]
    [InlineData("{\"model_type\":\"llama\",\"hidden_size\":\"8\",\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4}", "key 'hidden_size' must be an integer")]
    [InlineData("{\"model_type\":\"llama\",\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":3,\"vocab_size\":4}", "not a multiple")]
    [InlineData("{\"model_type\":\"llama\",\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4,\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4}}", "rope type 'yarn' is not supported")]
    [InlineData("{\"model_type\":\"llama\",\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4,\"hidden_act\":\"relu\"}", "activation 'relu' is not supported")]
    [InlineData("{\"model_type\":\"qwen2\",\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4,\"use_sliding_window\":true}", "use_sliding_window")]
    [InlineData("{\"model_type\":\"gemma3_text\",\"hidden_size\":8,\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":1,\"vocab_size\":4,\"final_logit_softcapping\":30.0}", "soft-capping")]
    [InlineData("{not json", "invalid JSON at line 1, column 2")]
    public void Unsupported_or_malformed_configs_are_refused_with_the_key(string json, string expected)
    {
        var e = Should.Throw<ModelConfigException>(() => Parse(json));
        e.Message.ShouldContain("config.json");
        e.Message.ShouldContain(expected);
    }

    [Fact]
    public void Llama3_rope_scaling_matches_the_hugging_face_formula()
    {
        // Hand-computed from transformers' _compute_llama3_parameters: factor 8, low 1, high 4, original 8192, θ = 500000, dim 128.
        var inv = RotaryTables.InverseFrequencies(128, 500000, new RopeScaling("llama3", 8, 1, 4, 8192));
        var plain = RotaryTables.InverseFrequencies(128, 500000, null);
        inv[0].ShouldBe(plain[0]); // high frequency: unchanged
        inv[63].ShouldBe(plain[63] / 8, 1e-18); // low frequency: divided by the factor
        int medium = Enumerable.Range(0, 64).First(i => 2 * Math.PI / plain[i] >= 8192 / 4.0);
        double smooth = (8192 / (2 * Math.PI / plain[medium]) - 1) / 3;
        inv[medium].ShouldBe((1 - smooth) * plain[medium] / 8 + smooth * plain[medium], 1e-15);
    }
}
