using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// ChatML: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message and <c>&lt;|im_start|&gt;assistant\n</c>
/// as generation prompt. SmolLM2's variant first injects its default system prompt when the first message is not a
/// system message.
/// </summary>
internal sealed class ChatMLChatTemplate(string name, string? defaultSystemPrompt, ChatTemplateOptions options) : ChatTemplate(options)
{
    public const string SmolLM2SystemPrompt = "You are a helpful AI assistant named SmolLM, trained by Hugging Face";

    /// <summary>SmolLM2-Instruct's template text (for recognition).</summary>
    public const string SmolLM2Source =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>The plain ChatML template text (for recognition).</summary>
    public const string ChatMLSource =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    public override string Name => name;

    public override string SupervisedPart => "the assistant content, <|im_end|> and the newline after it";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        if (defaultSystemPrompt is not null && messages[0].Role != "system")
            output.Append("<|im_start|>system\n").Append(defaultSystemPrompt).Append("<|im_end|>\n");
        foreach (var m in messages) output.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
        if (addGenerationPrompt) output.Append("<|im_start|>assistant\n");
    }
}
