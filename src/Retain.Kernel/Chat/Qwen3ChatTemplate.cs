using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// Qwen3 (hybrid thinking) without tools, following the template in Qwen3's tokenizer_config.json: no default system
/// prompt; an assistant message's reasoning is taken from a <c>&lt;think&gt;…&lt;/think&gt;</c> block in its content;
/// assistant turns after the last user query keep (or, for the final turn, get an empty) think block, earlier ones
/// lose it; the generation prompt ends with an empty think block only when <c>enable_thinking</c> is false.
/// </summary>
internal sealed class Qwen3ChatTemplate(ChatTemplateOptions options) : ChatTemplate(options)
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    public override string Name => "qwen3";

    public override string SupervisedPart => Options.EnableThinking == false
        ? "the assistant content, <|im_end|> and the newline after it (the empty think block belongs to the prompt)"
        : "the think block (\"<think>\\n\\n</think>\\n\\n\" when the answer has no reasoning), the assistant content, <|im_end|> and the newline after it";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        if (messages[0].Role == "system") output.Append("<|im_start|>system\n").Append(messages[0].Content).Append("<|im_end|>\n");

        var lastQueryIndex = messages.Count - 1;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            var c = messages[i].Content;
            if (messages[i].Role == "user" && !(c.StartsWith("<tool_response>", StringComparison.Ordinal) && c.EndsWith("</tool_response>", StringComparison.Ordinal)))
            {
                lastQueryIndex = i;
                break;
            }
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            if (m.Role == "user" || (m.Role == "system" && i > 0))
            {
                output.Append("<|im_start|>").Append(m.Role).Append('\n').Append(m.Content).Append("<|im_end|>\n");
            }
            else if (m.Role == "assistant")
            {
                var (reasoning, content) = SplitReasoning(m.Content);
                output.Append("<|im_start|>assistant\n");
                if (i > lastQueryIndex && (i == messages.Count - 1 || reasoning.Length > 0))
                {
                    output.Append("<think>\n").Append(PythonText.Strip(reasoning, '\n')).Append("\n</think>\n\n")
                        .Append(PythonText.LStrip(content, '\n'));
                }
                else
                {
                    output.Append(content);
                }
                output.Append("<|im_end|>\n");
            }
            else if (!(m.Role == "system" && i == 0))
            {
                throw UnsupportedRole(m, i);
            }
        }

        if (addGenerationPrompt)
        {
            output.Append("<|im_start|>assistant\n");
            if (options.EnableThinking == false) output.Append("<think>\n\n</think>\n\n");
        }
    }

    /// <summary>The template's <c>content.split('&lt;/think&gt;')</c> logic: content is what follows the last closing
    /// tag (leading newlines removed); reasoning is what precedes the first, trailing newlines removed, after its last
    /// opening tag, leading newlines removed.</summary>
    private static (string Reasoning, string Content) SplitReasoning(string text)
    {
        var firstClose = text.IndexOf(ThinkClose, StringComparison.Ordinal);
        if (firstClose < 0) return ("", text);
        var lastClose = text.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        var content = PythonText.LStrip(text[(lastClose + ThinkClose.Length)..], '\n');
        var before = PythonText.RStrip(text[..firstClose], '\n');
        var lastOpen = before.LastIndexOf(ThinkOpen, StringComparison.Ordinal);
        var reasoning = PythonText.LStrip(lastOpen < 0 ? before : before[(lastOpen + ThinkOpen.Length)..], '\n');
        return (reasoning, content);
    }
}
