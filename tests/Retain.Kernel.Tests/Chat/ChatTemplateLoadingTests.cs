using Retain.Kernel.Chat;
using Retain.Kernel.Tests.Tokenization;
using Retain.Testing;

namespace Retain.Kernel.Tests.Chat;

/// <summary>Choosing the template from a model's files, and the errors when that is not possible.</summary>
public sealed class ChatTemplateLoadingTests
{
    [Theory]
    [InlineData("qwen3", "qwen3")]
    [InlineData("gemma3", "gemma3")]
    public void Recognises_the_shared_real_templates(string folder, string expected) =>
        ChatTemplate.Load(TestPaths.SharedFile("models", "tokenizers", folder)).Name.ShouldBe(expected);

    [Theory]
    [InlineData("qwen2.5-instruct", "qwen2.5")]
    [InlineData("smollm2-135m-instruct", "smollm2")]
    [InlineData("llama3-instruct", "llama3")]
    [InlineData("llama3.1-instruct", "llama3.1")]
    [InlineData("llama3.2-instruct", "llama3.2")]
    public void Recognises_the_fixture_templates(string folder, string expected) =>
        ChatTemplate.Load(SharedTokenizers.Fixture(folder)).Name.ShouldBe(expected);

    [Fact]
    public void Gemma_bos_text_comes_from_tokenizer_config() =>
        ChatTemplate.Load(TestPaths.SharedFile("models", "tokenizers", "gemma3")).Render([Retain.Data.ChatMessage.User("U")], true)
            .ShouldStartWith("<bos><start_of_turn>user");

    [Fact]
    public void Llama_bos_text_comes_from_tokenizer_config() =>
        ChatTemplate.Load(SharedTokenizers.Fixture("llama3-instruct")).Render([Retain.Data.ChatMessage.User("U")], false)
            .ShouldBe("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>");

    [Fact]
    public void Load_accepts_a_tokenizer_json_path() =>
        ChatTemplate.Load(TestPaths.SharedFile("models", "tokenizers", "qwen3", "tokenizer.json")).Name.ShouldBe("qwen3");

    [Fact]
    public void Template_with_real_or_escaped_newlines_is_recognised()
    {
        ChatTemplate.Recognize(ChatMLChatTemplate.ChatMLSource).ShouldBe("chatml");
        ChatTemplate.Recognize(ChatMLChatTemplate.ChatMLSource.Replace("\n", "\\n")).ShouldBe("chatml");
    }

    [Fact]
    public void Chat_template_jinja_takes_precedence()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "tokenizers", "qwen3", "tokenizer_config.json"));
        dir.Write("chat_template.jinja", ChatMLChatTemplate.SmolLM2Source);
        ChatTemplate.Load(dir.Path).Name.ShouldBe("smollm2");
    }

    [Fact]
    public void Chat_template_json_takes_precedence_over_tokenizer_config()
    {
        using var dir = new TempModelDirectory();
        dir.Copy(TestPaths.SharedFile("models", "tokenizers", "gemma3", "tokenizer_config.json"));
        dir.Write("chat_template.json", System.Text.Json.JsonSerializer.Serialize(new { chat_template = ChatMLChatTemplate.ChatMLSource }));
        ChatTemplate.Load(dir.Path).Name.ShouldBe("chatml");
    }

    [Fact]
    public void Unrecognised_template_names_the_file_and_the_choices()
    {
        using var dir = new TempModelDirectory();
        var file = dir.Write("tokenizer_config.json", """{"chat_template": "{% for m in messages %}[{{ m.role }}] {{ m.content }}{% endfor %}"}""");
        var e = Should.Throw<ChatTemplateException>(() => ChatTemplate.Load(dir.Path));
        e.Message.ShouldContain(file);
        e.Message.ShouldContain("qwen2.5, qwen3, gemma3, llama3, llama3.1, llama3.2, chatml, smollm2, plain");
    }

    [Fact]
    public void Explicit_name_overrides_recognition()
    {
        using var dir = new TempModelDirectory();
        dir.Write("tokenizer_config.json", """{"eos_token": "</s>", "chat_template": "{{ messages }}"}""");
        var template = ChatTemplate.Load(dir.Path, "plain");
        template.Name.ShouldBe("plain");
        template.Render([Retain.Data.ChatMessage.User("Q"), Retain.Data.ChatMessage.Assistant("A")], false).ShouldBe("QA</s>");
    }

    [Fact]
    public void Missing_template_asks_for_an_explicit_choice()
    {
        var e = Should.Throw<ChatTemplateException>(() => ChatTemplate.Load(TestPaths.SharedFile("models", "tokenizers", "smollm2-135m-instruct")));
        e.Message.ShouldContain("has no chat template");
        e.Message.ShouldContain("plain");
    }

    [Fact]
    public void Unknown_explicit_name_lists_the_choices() =>
        Should.Throw<ChatTemplateException>(() => ChatTemplate.Create("vicuna")).Message.ShouldContain("qwen2.5, qwen3");

    [Fact]
    public void Options_reach_the_loaded_template() =>
        ChatTemplate.Load(TestPaths.SharedFile("models", "tokenizers", "qwen3"), options: new ChatTemplateOptions { EnableThinking = false })
            .Render([Retain.Data.ChatMessage.User("U")], true).ShouldEndWith("<think>\n\n</think>\n\n");
}
