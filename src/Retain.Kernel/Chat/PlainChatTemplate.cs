using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// No chat template (lm-eval's default plain-text mode, and SFT of base models): the message contents are
/// concatenated in order with nothing between them and no role markers; each assistant message is followed by the
/// tokenizer's EOS text (tokenizer_config.json <c>eos_token</c>; nothing when there is none); the generation prompt is
/// empty. Separators such as lm-eval's target delimiter belong in the contents. Text rendered this way is encoded
/// with the tokenizer's special tokens (BOS where the model adds one).
/// </summary>
internal sealed class PlainChatTemplate(string? eosToken, ChatTemplateOptions options) : ChatTemplate(options)
{
    public override string Name => "plain";

    public override bool AddSpecialTokensWhenEncoding => true;

    public override string SupervisedPart => eosToken is null ? "the assistant content" : $"the assistant content and {eosToken}";

    protected override void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        foreach (var m in messages)
        {
            output.Append(m.Content);
            if (m.Role == "assistant") output.Append(eosToken);
        }
    }
}
