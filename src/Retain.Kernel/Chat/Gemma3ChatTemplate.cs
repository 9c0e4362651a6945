using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// Gemma 3 (-it): the BOS text first; a leading system message becomes a prefix (its content plus a blank line,
/// untrimmed) of the first remaining turn; the remaining roles must alternate user / non-user starting with user;
/// each turn is <c>&lt;start_of_turn&gt;role\n</c> (assistant renamed <c>model</c>) + trimmed content +
/// <c>&lt;end_of_turn&gt;\n</c>; the generation prompt is <c>&lt;start_of_turn&gt;model\n</c>.
/// </summary>
internal sealed class Gemma3ChatTemplate(string? bosToken, ChatTemplateOptions options) : ChatTemplate(options)
{
    /// <summary>The error text of the template's <c>raise_exception</c>.</summary>
    public const string AlternationError = "Conversation roles must alternate user/assistant/user/assistant/...";

    public override string Name => "gemma3";

    public override string SupervisedPart => "the assistant content (trimmed), <end_of_turn> and the newline after it";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        output.Append(bosToken);
        var first = 0;
        var prefix = "";
        if (messages[0].Role == "system")
        {
            prefix = messages[0].Content + "\n\n";
            first = 1;
        }
        for (var i = first; i < messages.Count; i++)
        {
            var m = messages[i];
            var k = i - first;
            if ((m.Role == "user") != (k % 2 == 0))
                throw new ChatTemplateException($"{AlternationError} (message {i} has role '{m.Role}')");
            var role = m.Role == "assistant" ? "model" : m.Role;
            output.Append("<start_of_turn>").Append(role).Append('\n');
            if (k == 0) output.Append(prefix);
            output.Append(PythonText.Strip(m.Content)).Append("<end_of_turn>\n");
        }
        if (addGenerationPrompt) output.Append("<start_of_turn>model\n");
    }
}
