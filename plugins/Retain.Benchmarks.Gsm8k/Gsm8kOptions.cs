using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>Options of the <c>gsm8k</c> benchmark (lm-eval's default task).</summary>
public sealed class Gsm8kOptions
{
    /// <summary>The evaluation file.</summary>
    [Description("Test split (JSONL with question, answer), relative to the data roots.")]
    [Required]
    public string TestPath { get; set; } = "gsm8k/test.jsonl";

    /// <summary>The file few-shot examples are drawn from.</summary>
    [Description("Few-shot split (JSONL with question, answer), relative to the data roots.")]
    [Required]
    public string TrainPath { get; set; } = "gsm8k/train.jsonl";

    /// <summary>Few-shot examples per prompt.</summary>
    [Description("Few-shot examples per prompt (lm-eval default 5).")]
    [Range(0, 64)]
    public int FewShot { get; set; } = 5;

    /// <summary>Seed of the few-shot sampler.</summary>
    [Description("Seed of the few-shot sampler, a CPython random.Random shared across test docs in order (lm-eval fewshot_random_seed, 1234).")]
    public int FewShotSeed { get; set; } = 1234;

    /// <summary>Generation budget.</summary>
    [Description("Maximum new tokens per answer (lm-eval max_gen_toks, 256).")]
    [Range(1, 65536)]
    public int MaxNewTokens { get; set; } = 256;
}

/// <summary>Options of the <c>gsm8k-chat</c> benchmark.</summary>
public sealed class Gsm8kChatOptions
{
    /// <summary>The evaluation file.</summary>
    [Description("Test split (JSONL with question, answer), relative to the data roots.")]
    [Required]
    public string TestPath { get; set; } = "gsm8k/test.jsonl";

    /// <summary>Generation budget.</summary>
    [Description("Maximum new tokens per answer (chain of thought needs room; default 1024).")]
    [Range(1, 65536)]
    public int MaxNewTokens { get; set; } = 1024;
}
