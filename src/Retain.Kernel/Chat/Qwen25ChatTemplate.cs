using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// Qwen2.5 (Instruct) without tools: a system block first — the first message when it is a system message, otherwise
/// the default "You are Qwen, created by Alibaba Cloud. You are a helpful assistant." — then
/// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message (content untouched), then
/// <c>&lt;|im_start|&gt;assistant\n</c> as generation prompt.
/// </summary>
internal sealed class Qwen25ChatTemplate(ChatTemplateOptions options) : ChatTemplate(options)
{
    public const string DefaultSystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    public override string Name => "qwen2.5";

    public override string SupervisedPart => "the assistant content, <|im_end|> and the newline after it";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        var system = messages[0].Role == "system" ? messages[0].Content : DefaultSystemPrompt;
        output.Append("<|im_start|>system\n").Append(system).Append("<|im_end|>\n");
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role == "system" && i == 0) continue;
            if (m.Role is not ("user" or "system" or "assistant")) throw UnsupportedRole(m, i);
            output.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        }
        if (addGenerationPrompt) output.Append("<|im_start|>assistant\n");
    }
}
