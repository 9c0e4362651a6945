using Retain.Kernel.Tokenization;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>The real tokenizers under <c>../shared/models</c>, each loaded once per test run (Gemma 3's file is 33 MB).</summary>
internal static class SharedTokenizers
{
    private static readonly Dictionary<string, Lazy<Tokenizer>> Loaded = new()
    {
        ["qwen3"] = new(() => Tokenizer.Load(TestPaths.SharedFile("models", "tokenizers", "qwen3"))),
        ["gemma3"] = new(() => Tokenizer.Load(TestPaths.SharedFile("models", "tokenizers", "gemma3"))),
        ["smollm2"] = new(() => Tokenizer.Load(TestPaths.SharedFile("models", "tokenizers", "smollm2-135m-instruct"))),
        ["stories260k"] = new(() => Tokenizer.Load(TestPaths.SharedFile("models", "stories260K"))),
    };

    public static Tokenizer Get(string name) => Loaded[name].Value;

    public static Tokenizer Qwen3 => Get("qwen3");
    public static Tokenizer Gemma3 => Get("gemma3");
    public static Tokenizer SmolLM2 => Get("smollm2");
    public static Tokenizer Stories260K => Get("stories260k");

    /// <summary>A file under <c>tests/Retain.Kernel.Tests/Fixtures/Tokenizers</c>.</summary>
    public static string Fixture(params string[] parts) =>
        TestPaths.RepoFile(["tests", "Retain.Kernel.Tests", "Fixtures", "Tokenizers", .. parts]);
}
