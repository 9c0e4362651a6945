using Retain.Data;
using Retain.Kernel.Chat;

namespace Retain.Kernel.Tests.Chat;

/// <summary>
/// Renderings compared with the strings in eval-protocols.md §9 (rendered there with jinja2 the way transformers
/// configures it) and, for the other cases, with strings derived by reading the real template text by hand (jinja
/// cannot run here): the Qwen3 and Gemma 3 templates in ../shared/models/tokenizers/*/tokenizer_config.json and the
/// Qwen2.5, SmolLM2 and Llama 3 templates in Fixtures/Tokenizers.
/// </summary>
public sealed class ChatTemplateRenderingTests
{
    private static readonly ChatMessage U = ChatMessage.User("U");
    private static readonly ChatMessage A = ChatMessage.Assistant("A");
    private static readonly ChatMessage S = ChatMessage.System("S");

    private static ChatTemplate Qwen25 => ChatTemplate.Create("qwen2.5");
    private static ChatTemplate Qwen3 => ChatTemplate.Create("qwen3");
    private static ChatTemplate Gemma3 => ChatTemplate.Create("gemma3", bosToken: "<bos>");

    // --- eval-protocols.md §9.1 -----------------------------------------------------------------------------------

    [Fact]
    public void Qwen25_user_with_generation_prompt() =>
        Qwen25.Render([U], true).ShouldBe("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");

    [Fact]
    public void Qwen25_user_and_assistant() =>
        Qwen25.Render([U, A], false).ShouldBe("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n");

    [Fact]
    public void Qwen25_system_replaces_the_default() =>
        Qwen25.Render([S, U], true).ShouldBe("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");

    // --- eval-protocols.md §9.2 -----------------------------------------------------------------------------------

    [Fact]
    public void Qwen3_user_with_generation_prompt_thinking_on() =>
        Qwen3.Render([U], true).ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");

    [Fact]
    public void Qwen3_user_with_generation_prompt_thinking_off() =>
        Qwen3.Render([U], true, new ChatTemplateOptions { EnableThinking = false })
            .ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");

    [Fact]
    public void Qwen3_enable_thinking_true_renders_like_the_default() =>
        Qwen3.Render([U], true, new ChatTemplateOptions { EnableThinking = true }).ShouldBe(Qwen3.Render([U], true));

    [Fact]
    public void Qwen3_final_assistant_turn_gets_an_empty_think_block() =>
        Qwen3.Render([U, A], false).ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nA<|im_end|>\n");

    [Fact]
    public void Qwen3_reasoning_in_the_final_turn_is_kept() =>
        Qwen3.Render([U, ChatMessage.Assistant("<think>\nR\n</think>\n\nX")], false)
            .ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\nR\n</think>\n\nX<|im_end|>\n");

    [Fact]
    public void Qwen3_earlier_reasoning_is_dropped() =>
        Qwen3.Render([ChatMessage.User("q1"), ChatMessage.Assistant("<think>\nr1\n</think>\n\na1"), ChatMessage.User("q2")], true)
            .ShouldBe("<|im_start|>user\nq1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\n");

    // Read from the template: a system message first is emitted as-is; reasoning keeps inner newlines but loses
    // surrounding ones; text before <think> is discarded; only "\n" is stripped, not spaces.
    [Fact]
    public void Qwen3_system_and_reasoning_edges() =>
        Qwen3.Render([S, U, ChatMessage.Assistant("pre<think>\n\nline1\nline2\n\n</think>\n\n\n answer ")], false)
            .ShouldBe("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\nline1\nline2\n</think>\n\n answer <|im_end|>\n");

    // Read from the template: assistant turns after the last user query keep their reasoning even when not last; a
    // non-final one without reasoning gets no think block.
    [Fact]
    public void Qwen3_turns_after_the_last_query()
    {
        var messages = new[]
        {
            ChatMessage.User("q"), ChatMessage.Assistant("<think>r1</think>a1"), ChatMessage.Assistant("a2"), ChatMessage.Assistant("a3"),
        };
        Qwen3.Render(messages, false).ShouldBe(
            "<|im_start|>user\nq<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\nr1\n</think>\n\na1<|im_end|>\n" +
            "<|im_start|>assistant\na2<|im_end|>\n" +
            "<|im_start|>assistant\n<think>\n\n</think>\n\na3<|im_end|>\n");
    }

    // --- eval-protocols.md §9.3 -----------------------------------------------------------------------------------

    [Fact]
    public void Gemma3_user_with_generation_prompt() =>
        Gemma3.Render([U], true).ShouldBe("<bos><start_of_turn>user\nU<end_of_turn>\n<start_of_turn>model\n");

    [Fact]
    public void Gemma3_user_and_assistant() =>
        Gemma3.Render([U, A], false).ShouldBe("<bos><start_of_turn>user\nU<end_of_turn>\n<start_of_turn>model\nA<end_of_turn>\n");

    [Fact]
    public void Gemma3_system_folds_into_the_first_user_turn() =>
        Gemma3.Render([S, U], true).ShouldBe("<bos><start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\n");

    [Fact]
    public void Gemma3_content_is_trimmed() =>
        Gemma3.Render([ChatMessage.User("  hi \n")], true).ShouldBe("<bos><start_of_turn>user\nhi<end_of_turn>\n<start_of_turn>model\n");

    // Read from the template: the system prefix is not trimmed, the user content is (Python str.strip, which also
    // removes U+001C..U+001F).
    [Fact]
    public void Gemma3_system_prefix_is_not_trimmed() =>
        Gemma3.Render([ChatMessage.System(" S "), ChatMessage.User("\u001f U\u3000")], false)
            .ShouldBe("<bos><start_of_turn>user\n S \n\nU<end_of_turn>\n");

    [Theory]
    [InlineData("assistant", "user")]
    [InlineData("user", "user")]
    public void Gemma3_roles_must_alternate(string first, string second)
    {
        var e = Should.Throw<ChatTemplateException>(() => Gemma3.Render([new ChatMessage(first, "x"), new ChatMessage(second, "y")], true));
        e.Message.ShouldStartWith("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    // --- Llama 3 (fixtures' templates read by hand) ------------------------------------------------------------------

    [Fact]
    public void Llama3_system_is_an_ordinary_turn_and_content_is_trimmed() =>
        ChatTemplate.Create("llama3", bosToken: "<|begin_of_text|>").Render([S, ChatMessage.User(" U\n")], true).ShouldBe(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    [Fact]
    public void Llama31_injects_the_knowledge_cutoff_block() =>
        ChatTemplate.Create("llama3.1", bosToken: "<|begin_of_text|>").Render([U, A], false).ShouldBe(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>" +
            "<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nA<|eot_id|>");

    [Fact]
    public void Llama32_puts_the_trimmed_system_message_after_the_date() =>
        ChatTemplate.Create("llama3.2", "<|begin_of_text|>", options: new ChatTemplateOptions { DateString = "01 Jan 2025" })
            .Render([ChatMessage.System(" S\n"), U], true).ShouldBe(
                "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 01 Jan 2025\n\nS<|eot_id|>" +
                "<|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    [Fact]
    public void Llama32_defaults_to_todays_date()
    {
        // The day read before and after rendering: a render that crosses midnight matches one of them.
        static string Today() => DateTime.Now.ToString("dd MMM yyyy", System.Globalization.CultureInfo.InvariantCulture);
        var before = Today();
        var rendered = ChatTemplate.Create("llama3.2").Render([U], false);
        var after = Today();
        new[] { before, after }.ShouldContain(day => rendered.Contains("Today Date: " + day + "\n\n"));
    }

    // --- ChatML / SmolLM2 / plain -------------------------------------------------------------------------------------

    [Fact]
    public void SmolLM2_injects_its_default_system_prompt() =>
        ChatTemplate.Create("smollm2").Render([U], true).ShouldBe(
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");

    [Fact]
    public void SmolLM2_keeps_a_given_system_message() =>
        ChatTemplate.Create("smollm2").Render([S, U, A], false).ShouldBe(
            "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\nA<|im_end|>\n");

    [Fact]
    public void ChatML_has_no_default_system_prompt() =>
        ChatTemplate.Create("chatml").Render([U], true).ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");

    [Fact]
    public void Plain_concatenates_contents_and_ends_assistant_turns_with_eos()
    {
        var plain = ChatTemplate.Create("plain", eosToken: "</s>");
        plain.Render([ChatMessage.User("Question: 1+1?\nAnswer:")], true).ShouldBe("Question: 1+1?\nAnswer:");
        plain.Render([S, ChatMessage.User("Q:"), ChatMessage.Assistant(" 2")], false).ShouldBe("SQ: 2</s>");
        plain.AddSpecialTokensWhenEncoding.ShouldBeTrue();
    }

    [Fact]
    public void Empty_conversation_is_an_error() =>
        Should.Throw<ChatTemplateException>(() => Qwen25.Render([], true));

    [Fact]
    public void Unsupported_role_is_an_error() =>
        Should.Throw<ChatTemplateException>(() => Qwen3.Render([U, new ChatMessage("tool", "42")], true)).Message.ShouldContain("'tool'");
}
