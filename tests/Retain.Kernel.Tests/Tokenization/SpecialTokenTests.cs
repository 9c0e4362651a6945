using Retain.Kernel.Tokenization;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>Special tokens: what <c>addSpecialTokens</c> adds, BOS and EOS ids, and where each setting comes from.</summary>
public sealed class SpecialTokenTests
{
    [Fact]
    public void Gemma_adds_bos_from_its_template_processing() =>
        SharedTokenizers.Gemma3.Encode("Hi", addSpecialTokens: true)[0].ShouldBe(2);

    [Fact]
    public void Qwen_adds_nothing() =>
        SharedTokenizers.Qwen3.Encode("Hi", addSpecialTokens: true).ShouldBe(SharedTokenizers.Qwen3.Encode("Hi"));

    [Fact]
    public void Stories260K_adds_s() =>
        SharedTokenizers.Stories260K.Encode("", addSpecialTokens: true).ShouldBe([1]);

    [Fact]
    public void SmolLM2_without_post_processor_adds_nothing() =>
        SharedTokenizers.SmolLM2.Encode("Hi", addSpecialTokens: true).ShouldBe(SharedTokenizers.SmolLM2.Encode("Hi"));

    [Theory]
    [InlineData("qwen3", null, new[] { 151645 })] // tokenizer_config: bos_token null, eos_token <|im_end|>
    [InlineData("gemma3", 2, new[] { 106 })] // tokenizer_config: <bos>, eos_token <end_of_turn>
    [InlineData("smollm2", 1, new[] { 2 })] // config.json: bos_token_id 1, eos_token_id 2
    [InlineData("stories260k", 1, new[] { 2 })] // config.json eos_token_id 2; tokenizer_config bos_token <s>
    public void Bos_and_eos_ids(string tokenizer, int? bos, int[] eos)
    {
        var t = SharedTokenizers.Get(tokenizer);
        t.BosTokenId.ShouldBe(bos);
        t.EosTokenIds.ShouldBe(eos);
    }

    [Fact]
    public void Special_token_text_is_one_id_and_think_tags_are_not_special()
    {
        var qwen = SharedTokenizers.Qwen3;
        qwen.Encode("<|im_start|>").ShouldBe([151644]);
        qwen.Encode("<think>").ShouldBe([151667]);
        qwen.IsSpecial(151644).ShouldBeTrue();
        qwen.IsSpecial(151667).ShouldBeFalse();
        qwen.Decode([151644, 151667, 151668, 151645], skipSpecialTokens: true).ShouldBe("<think></think>");
    }

    [Fact]
    public void Generation_config_eos_list_comes_first()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "stories260K", "tokenizer.json"));
        dir.Copy(TestPaths.SharedFile("models", "stories260K", "config.json"));
        dir.Write("generation_config.json", """{"bos_token_id": 1, "eos_token_id": [2, 0]}""");
        Tokenizer.Load(dir.Path).EosTokenIds.ShouldBe([2, 0]);
    }

    [Fact]
    public void Tokenizer_config_eos_token_is_the_last_resort()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "stories260K", "tokenizer.json"));
        dir.Write("tokenizer_config.json", """{"eos_token": {"content": "</s>", "special": true}, "bos_token": "<s>"}""");
        var t = Tokenizer.Load(Path.Combine(dir.Path, "tokenizer.json"));
        t.EosTokenIds.ShouldBe([2]);
        t.BosTokenId.ShouldBe(1);
    }

    [Fact]
    public void Llama_class_flags_override_the_post_processor()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "stories260K", "tokenizer.json"));
        dir.Write("tokenizer_config.json",
            """{"tokenizer_class": "LlamaTokenizerFast", "add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": "</s>"}""");
        var t = Tokenizer.Load(dir.Path);
        var ids = t.Encode("a", addSpecialTokens: true);
        ids[0].ShouldNotBe(1);
        ids[^1].ShouldBe(2);
    }

    [Fact]
    public void Flags_apply_when_the_file_has_no_post_processor()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "tokenizers", "smollm2-135m-instruct", "tokenizer.json"));
        dir.Write("tokenizer_config.json", """{"add_bos_token": true, "bos_token": "<|endoftext|>", "eos_token": "<|im_end|>"}""");
        Tokenizer.Load(dir.Path).Encode("Hi", addSpecialTokens: true)[0].ShouldBe(0);
    }

    [Fact]
    public void Configured_special_token_missing_from_the_vocabulary_is_an_error()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "stories260K", "tokenizer.json"));
        var config = dir.Write("tokenizer_config.json", """{"eos_token": "<|nope|>"}""");
        var e = Should.Throw<TokenizerFormatException>(() => Tokenizer.Load(dir.Path));
        e.Message.ShouldContain(config);
        e.Message.ShouldContain("eos_token");
        e.Message.ShouldContain("<|nope|>");
    }
}
