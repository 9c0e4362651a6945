using System.Globalization;
using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// Llama 3 family without tools. Every turn is <c>&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\n</c> +
/// trimmed content + <c>&lt;|eot_id|&gt;</c>, after the BOS text, and the generation prompt is the assistant header.
/// Llama 3 (3.0) renders a system message like any other turn. Llama 3.1 / 3.3 and 3.2 always open with a system
/// turn holding "Cutting Knowledge Date: December 2023", "Today Date: " + the date, a blank line and the trimmed
/// system message (or nothing); the date defaults to "26 Jul 2024" (3.1 / 3.3) or today (3.2, <c>strftime_now</c>).
/// </summary>
internal sealed class Llama3ChatTemplate(Llama3ChatTemplate.Variant variant, string? bosToken, ChatTemplateOptions options) : ChatTemplate(options)
{
    /// <summary>The Meta-Llama-3-Instruct template text (for recognition).</summary>
    public const string Llama30Source =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

    public enum Variant { Llama30, Llama31, Llama32 }

    public override string Name => variant switch
    {
        Variant.Llama30 => "llama3",
        Variant.Llama31 => "llama3.1",
        _ => "llama3.2",
    };

    public override string SupervisedPart => "the assistant content (trimmed) and <|eot_id|>";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        output.Append(bosToken);
        var first = 0;
        if (variant != Variant.Llama30)
        {
            var system = "";
            if (messages[0].Role == "system")
            {
                system = PythonText.Strip(messages[0].Content);
                first = 1;
            }
            var date = options.DateString ?? (variant == Variant.Llama31
                ? "26 Jul 2024"
                : DateTime.Now.ToString("dd MMM yyyy", CultureInfo.InvariantCulture));
            output.Append("<|start_header_id|>system<|end_header_id|>\n\n")
                .Append("Cutting Knowledge Date: December 2023\n")
                .Append("Today Date: ").Append(date).Append("\n\n")
                .Append(system).Append("<|eot_id|>");
        }
        for (var i = first; i < messages.Count; i++)
        {
            var m = messages[i];
            // 3.1+ render tool results and tool calls in their own formats, not implemented here; 3.0 has no special case.
            if (variant != Variant.Llama30 && m.Role is ("tool" or "ipython")) throw UnsupportedRole(m, i);
            output.Append("<|start_header_id|>").Append(m.Role).Append("<|end_header_id|>\n\n")
                .Append(PythonText.Strip(m.Content)).Append("<|eot_id|>");
        }
        if (addGenerationPrompt) output.Append("<|start_header_id|>assistant<|end_header_id|>\n\n");
    }
}
