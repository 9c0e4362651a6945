using Retain.Data;
using Retain.Kernel.Chat;

namespace Retain.Kernel.Tests.Chat;

/// <summary>The prompt / target split of fine-tuning examples: prompt + target is the full rendering, and the target
/// holds exactly the supervised text of each template.</summary>
public sealed class SftSplitTests
{
    private static readonly ChatMessage[] Prompt = [ChatMessage.User("U")];

    [Theory]
    [InlineData("qwen2.5", "A<|im_end|>\n")]
    [InlineData("qwen3", "<think>\n\n</think>\n\nA<|im_end|>\n")]
    [InlineData("gemma3", "A<end_of_turn>\n")]
    [InlineData("llama3", "A<|eot_id|>")]
    [InlineData("llama3.1", "A<|eot_id|>")]
    [InlineData("llama3.2", "A<|eot_id|>")]
    [InlineData("chatml", "A<|im_end|>\n")]
    [InlineData("smollm2", "A<|im_end|>\n")]
    [InlineData("plain", "A<eos>")]
    public void Target_is_the_supervised_text(string name, string expectedTarget)
    {
        var template = ChatTemplate.Create(name, bosToken: "<bos>", eosToken: "<eos>", new ChatTemplateOptions { DateString = "26 Jul 2024" });
        var sft = template.RenderForTraining(Prompt, "A");
        sft.Target.ShouldBe(expectedTarget);
        sft.Prompt.ShouldBe(template.Render(Prompt, addGenerationPrompt: true));
        sft.Full.ShouldBe(template.Render([.. Prompt, ChatMessage.Assistant("A")], addGenerationPrompt: false));
    }

    [Fact]
    public void Qwen3_without_thinking_moves_the_empty_think_block_into_the_prompt()
    {
        var template = ChatTemplate.Create("qwen3", options: new ChatTemplateOptions { EnableThinking = false });
        var sft = template.RenderForTraining(Prompt, "A");
        sft.Prompt.ShouldBe("<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        sft.Target.ShouldBe("A<|im_end|>\n");
    }

    [Fact]
    public void Qwen3_without_thinking_rejects_a_target_with_reasoning() =>
        Should.Throw<ChatTemplateException>(() => ChatTemplate.Create("qwen3", options: new ChatTemplateOptions { EnableThinking = false })
            .RenderForTraining(Prompt, "<think>\nR\n</think>\n\nA")).Message.ShouldContain("enable_thinking");

    [Fact]
    public void Gemma_target_is_trimmed_like_the_rendering() =>
        ChatTemplate.Create("gemma3", "<bos>").RenderForTraining(Prompt, " A \n").Target.ShouldBe("A<end_of_turn>\n");

    [Fact]
    public void Multi_turn_prompt_keeps_history_in_the_prompt()
    {
        var sft = ChatTemplate.Create("qwen2.5").RenderForTraining(
            [ChatMessage.System("S"), ChatMessage.User("q1"), ChatMessage.Assistant("a1"), ChatMessage.User("q2")], "a2");
        sft.Prompt.ShouldBe("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nq1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n<|im_start|>user\nq2<|im_end|>\n<|im_start|>assistant\n");
        sft.Target.ShouldBe("a2<|im_end|>\n");
    }
}
