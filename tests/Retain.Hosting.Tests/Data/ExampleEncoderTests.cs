using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Hosting.Data;
using Retain.Kernel.Chat;
using Retain.Kernel.Tokenization;

namespace Retain.Hosting.Tests.Data;

/// <summary>Supervision masks of multi-turn examples.</summary>
public class ExampleEncoderTests
{
    private static readonly Tokenizer Qwen = Tokenizer.Load(Retain.Testing.TestPaths.SharedFile("models", "tokenizers", "qwen3"));

    private static Example Conversation(bool superviseHistory) => new()
    {
        Id = "c3",
        Prompt = [ChatMessage.System("Be terse."), ChatMessage.User("Say hi."), ChatMessage.Assistant("Hi!"), ChatMessage.User("Again.")],
        Target = "Hi again!",
        SuperviseHistory = superviseHistory,
        Source = "chat.parquet:3",
    };

    private static string SupervisedText(EncodedExample encoded, bool[] mask) =>
        Qwen.Decode(encoded.Ids.Where((_, t) => mask[t]).ToArray());

    [Fact]
    public void All_assistant_turns_are_supervised_when_the_example_asks_and_only_the_last_otherwise()
    {
        var template = ChatTemplate.Create("qwen2.5");
        var encoder = new ExampleEncoder(Qwen, template, 1024, OverLengthPolicy.Truncate);
        var firstTurn = template.RenderForTraining([ChatMessage.System("Be terse."), ChatMessage.User("Say hi.")], "Hi!").Target;
        var lastTurn = template.RenderForTraining(Conversation(false).Prompt, "Hi again!").Target;

        var last = encoder.Encode(Conversation(false), 0, out var reason)!;
        reason.ShouldBeNull();
        SupervisedText(last, last.Supervision()).ShouldBe(lastTurn);
        last.SupervisedMask.ShouldBeNull();

        var all = encoder.Encode(Conversation(true), 0, out reason)!;
        reason.ShouldBeNull();
        var mask = all.Supervision();
        SupervisedText(all, mask).ShouldBe(firstTurn + lastTurn);
        Qwen.Decode(all.Ids).ShouldBe(template.Render([.. Conversation(true).Prompt, ChatMessage.Assistant("Hi again!")], addGenerationPrompt: false));
        all.TargetLength.ShouldBe(mask.Count(s => s));
        all.TargetLength.ShouldBeGreaterThan(last.TargetLength);
        mask[all.PromptLength].ShouldBeTrue();
        mask.Take(all.PromptLength).ShouldAllBe(s => !s);
        // The conversation between the two assistant turns is context.
        var between = encoder.Segments(Conversation(true)).Where(s => !s.Supervised).Select(s => s.Text).ToList();
        between.Count.ShouldBe(2);
        between[1].ShouldContain("Again.");
    }

    [Fact]
    public void Truncation_keeps_the_mask_aligned_with_the_ids()
    {
        var encoder = new ExampleEncoder(Qwen, ChatTemplate.Create("qwen2.5"), 1024, OverLengthPolicy.Truncate);
        int full = encoder.Encode(Conversation(true), 0, out _)!.Ids.Length;
        var cut = new ExampleEncoder(Qwen, ChatTemplate.Create("qwen2.5"), full - 3, OverLengthPolicy.Truncate).Encode(Conversation(true), 0, out _)!;
        cut.Truncated.ShouldBeTrue();
        cut.Ids.Length.ShouldBe(full - 3);
        cut.Supervision().Length.ShouldBe(full - 3);
        new ExampleEncoder(Qwen, ChatTemplate.Create("qwen2.5"), full - 3, OverLengthPolicy.Drop).Encode(Conversation(true), 0, out var reason).ShouldBeNull();
        reason.ShouldNotBeNull().ShouldContain("chat.parquet:3");
    }

    [Fact]
    public void A_template_that_renders_earlier_turns_differently_drops_the_example_with_the_reason()
    {
        // Qwen3 writes an empty <think></think> block into a final assistant turn but not into earlier ones, so an
        // earlier turn's tokens are not those the model would be trained to produce as a reply.
        var encoder = new ExampleEncoder(Qwen, ChatTemplate.Create("qwen3"), 1024, OverLengthPolicy.Truncate);
        encoder.Encode(Conversation(true), 0, out var reason).ShouldBeNull();
        reason.ShouldNotBeNull().ShouldContain("chat.parquet:3: with the qwen3 chat template the assistant turn 2 cannot be supervised");
        reason.ShouldContain("supervisedTurns: last");
        encoder.Encode(Conversation(false), 0, out reason).ShouldNotBeNull();
    }
}
