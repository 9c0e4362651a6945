using Retain.Kernel.Models;

namespace Retain.Hosting.Performance;

/// <summary>What a benchmark case measures.</summary>
public enum BenchPhase
{
    /// <summary>One optimizer step: forward, backward, clipping, AdamW.</summary>
    Train,

    /// <summary>Forward log-likelihood of every token, no gradients.</summary>
    Score,

    /// <summary>Greedy decoding with the KV cache, one sequence.</summary>
    Generate,
}

/// <summary>
/// A benchmarked model: a shipped Hugging Face directory (real weights) or a Llama config with random weights.
/// </summary>
/// <param name="Name">Short name, the first part of result names.</param>
/// <param name="Description">What it is, for the report.</param>
/// <param name="Directory">A model directory, or null for <paramref name="ConfigJson"/> with random weights.</param>
/// <param name="ConfigJson">A config.json text, used when <paramref name="Directory"/> is null.</param>
public sealed record BenchModel(string Name, string Description, string? Directory, string? ConfigJson)
{
    /// <summary>The model's config.</summary>
    public ModelConfig LoadConfig() =>
        Directory is not null ? ModelConfig.Load(Directory) : ModelConfig.Parse(ConfigJson!, $"benchmark model {Name}");

    /// <summary>A folder holding config.json (and weights, for a shipped model), for the PyTorch peer.</summary>
    public string MaterializeFor(string scratch)
    {
        if (Directory is not null) return Directory;
        var folder = Path.Combine(scratch, Name);
        System.IO.Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "config.json"), ConfigJson);
        return folder;
    }
}

/// <summary>One model × one phase at one shape.</summary>
/// <param name="Model">The model.</param>
/// <param name="Phase">The phase.</param>
/// <param name="Rows">Rows per step (train, score) — generation decodes one sequence.</param>
/// <param name="Length">Tokens per row (train, score) or new tokens (generate).</param>
/// <param name="PromptLength">Prompt tokens before generation.</param>
/// <param name="Device">Where Retain runs it (<c>cpu</c>, <c>cuda</c>); the peer uses the same kind of device.</param>
public sealed record BenchCase(BenchModel Model, BenchPhase Phase, int Rows, int Length, int PromptLength, string Device = "cpu")
{
    /// <summary>Result name: model and phase, e.g. <c>stories260k-train</c>.</summary>
    public string Name => $"{Model.Name}-{Phase.ToString().ToLowerInvariant()}";

    /// <summary>The shape in words, e.g. <c>4x64</c> or <c>1x(16+64)</c>.</summary>
    public string Shape => Phase == BenchPhase.Generate ? $"1x({PromptLength}+{Length})" : $"{Rows}x{Length}";
}

/// <summary>The benchmark suites <c>retain bench --suite</c> runs.</summary>
public static class BenchSuites
{
    /// <summary>Suite names.</summary>
    public static readonly IReadOnlyList<string> Names = ["cpu", "gpu"];

    /// <summary>
    /// The CPU suite: stories260K (the shipped TinyStories checkpoint), a ~20M-parameter Llama and a GPT-2-124M-shaped
    /// Llama (768 wide, 12 layers, 12 heads, 50,257-token vocabulary, SwiGLU width 2,048 so the parameter count
    /// matches GPT-2's 124M), each trained and scored at 4 × 64 tokens and generating 64 tokens after a 16-token prompt.
    /// </summary>
    public static IReadOnlyList<BenchCase> Cpu(string assetsDirectory)
    {
        var models = new[]
        {
            new BenchModel("stories260k", "stories260K (Llama, 260K parameters, shipped weights)", Path.Combine(assetsDirectory, "models", "stories260K"), null),
            new BenchModel("llama20m", "Llama, 384 wide, 8 layers, 6 heads, vocabulary 16,384 (20.5M parameters, random weights)", null,
                LlamaConfig(hidden: 384, layers: 8, heads: 6, intermediate: 1024, vocab: 16384)),
            new BenchModel("gpt2-124m", "GPT-2-124M-shaped Llama: 768 wide, 12 layers, 12 heads, vocabulary 50,257 (124M parameters, random weights)", null,
                LlamaConfig(hidden: 768, layers: 12, heads: 12, intermediate: 2048, vocab: 50257)),
        };
        return models.SelectMany(m => new[]
        {
            new BenchCase(m, BenchPhase.Train, 4, 64, 0),
            new BenchCase(m, BenchPhase.Score, 4, 64, 0),
            new BenchCase(m, BenchPhase.Generate, 1, 64, 16),
        }).ToArray();
    }

    /// <summary>The cases of suite <paramref name="suite"/>.</summary>
    public static IReadOnlyList<BenchCase> Get(string suite, string assetsDirectory) => suite switch
    {
        "cpu" => Cpu(assetsDirectory),
        "gpu" => Gpu(),
        _ => throw new ArgumentException($"Unknown suite '{suite}'; suites: {string.Join(", ", Names)}."),
    };

    /// <summary>
    /// The GPU suite (bf16 GEMMs, fp32 master weights): training steps on 4 packed rows of 2,048 tokens of the real
    /// Qwen2.5-0.5B and Qwen2.5-1.5B configs with random weights (no checkpoint can be downloaded here). Unmeasured so
    /// far: no GPU has been available to this project.
    /// </summary>
    public static IReadOnlyList<BenchCase> Gpu() =>
    [
        new(new BenchModel("qwen2.5-0.5b", "Qwen2.5-0.5B config (494M parameters, random weights)", null,
            QwenConfig(hidden: 896, layers: 24, heads: 14, kvHeads: 2, intermediate: 4864)), BenchPhase.Train, 4, 2048, 0, "cuda"),
        new(new BenchModel("qwen2.5-1.5b", "Qwen2.5-1.5B config (1.54B parameters, random weights)", null,
            QwenConfig(hidden: 1536, layers: 28, heads: 12, kvHeads: 2, intermediate: 8960)), BenchPhase.Train, 4, 2048, 0, "cuda"),
    ];

    /// <summary>A Qwen2.5 config.json as published (vocabulary 151,936, tied, rope θ 10⁶, q/k/v biases).</summary>
    public static string QwenConfig(int hidden, int layers, int heads, int kvHeads, int intermediate) => $$"""
        {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "hidden_size": {{hidden}}, "num_hidden_layers": {{layers}},
         "num_attention_heads": {{heads}}, "num_key_value_heads": {{kvHeads}}, "intermediate_size": {{intermediate}},
         "vocab_size": 151936, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
         "hidden_act": "silu", "tie_word_embeddings": true, "torch_dtype": "bfloat16", "use_sliding_window": false,
         "sliding_window": 32768, "max_window_layers": {{layers}}, "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643}
        """;

    /// <summary>A plain Llama config.json (tied embeddings, no biases, no rope scaling, 1,024 positions).</summary>
    public static string LlamaConfig(int hidden, int layers, int heads, int intermediate, int vocab) => $$"""
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": {{hidden}}, "num_hidden_layers": {{layers}},
         "num_attention_heads": {{heads}}, "num_key_value_heads": {{heads}}, "intermediate_size": {{intermediate}},
         "vocab_size": {{vocab}}, "max_position_embeddings": 1024, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
         "hidden_act": "silu", "tie_word_embeddings": true}
        """;
}
