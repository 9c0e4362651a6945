using System.Text;
using Retain.Data;

namespace Retain.Kernel.Chat;

/// <summary>
/// A model's chat template, reimplemented in C# for the templates Retain supports, rendering exactly the string
/// Hugging Face's <c>apply_chat_template</c> renders (no tools, string content). Obtain one with
/// <see cref="Load"/> (recognised from the model's files, or chosen by name) or <see cref="Create"/>.
/// </summary>
public abstract class ChatTemplate
{
    /// <summary>The names accepted by <see cref="Create"/> and by the explicit choice in <see cref="Load"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["qwen2.5", "qwen3", "gemma3", "llama3", "llama3.1", "llama3.2", "chatml", "smollm2", "plain"];

    /// <summary>Creates the template.</summary>
    protected ChatTemplate(ChatTemplateOptions options) => Options = options;

    /// <summary>One of <see cref="Names"/>.</summary>
    public abstract string Name { get; }

    /// <summary>The template variables used by <see cref="Render(IReadOnlyList{ChatMessage}, bool)"/>.</summary>
    public ChatTemplateOptions Options { get; }

    /// <summary>
    /// Whether text rendered by this template should be encoded with the tokenizer's special tokens. False for real
    /// templates: they write BOS themselves where the model wants it (Gemma, Llama), as <c>apply_chat_template</c>
    /// tokenizes without adding special tokens. True for <c>plain</c>, which writes none.
    /// </summary>
    public virtual bool AddSpecialTokensWhenEncoding => false;

    /// <summary>What the loss covers in <see cref="RenderForTraining"/>, in words (for logs and reports).</summary>
    public abstract string SupervisedPart { get; }

    /// <summary>Renders a conversation with <see cref="Options"/>.</summary>
    /// <param name="messages">At least one message; roles <c>system</c>, <c>user</c>, <c>assistant</c>.</param>
    /// <param name="addGenerationPrompt">Append the opening of an assistant turn.</param>
    /// <exception cref="ChatTemplateException">The conversation breaks the template's rules.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) => Render(messages, addGenerationPrompt, Options);

    /// <summary>Renders a conversation with the given template variables.</summary>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(options);
        if (messages.Count == 0) throw new ChatTemplateException($"The {Name} chat template needs at least one message.");
        var sb = new StringBuilder();
        RenderTo(sb, messages, addGenerationPrompt, options);
        return sb.ToString();
    }

    /// <summary>
    /// Splits a fine-tuning example into the prompt (conditioning) and the target (supervised): the prompt is the
    /// rendering of <paramref name="prompt"/> with the generation prompt, the target is the rest of the rendering of
    /// the whole conversation (<paramref name="prompt"/> followed by an assistant message <paramref name="target"/>),
    /// so <c>Prompt + Target</c> is exactly that rendering. See <see cref="SupervisedPart"/> for what each template
    /// puts in the target.
    /// </summary>
    /// <exception cref="ChatTemplateException">The rendering of the conversation does not begin with the rendered
    /// prompt (e.g. Qwen3 with <c>EnableThinking = false</c> and a target that carries its own reasoning).</exception>
    public SftText RenderForTraining(IReadOnlyList<ChatMessage> prompt, string target)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(target);
        var promptText = Render(prompt, addGenerationPrompt: true);
        var full = Render([.. prompt, ChatMessage.Assistant(target)], addGenerationPrompt: false);
        if (!full.StartsWith(promptText, StringComparison.Ordinal))
        {
            throw new ChatTemplateException(
                $"With the {Name} chat template the conversation does not begin with its prompt plus generation prompt, " +
                "so prompt and target cannot be separated" +
                (Name == "qwen3" ? " (with enable_thinking=false the target must not carry its own <think> reasoning)." : "."));
        }
        return new SftText(promptText, full[promptText.Length..]);
    }

    /// <summary>Writes the rendering.</summary>
    protected abstract void RenderTo(StringBuilder output, IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, ChatTemplateOptions options);

    /// <summary>The error for a role the template does not render.</summary>
    protected ChatTemplateException UnsupportedRole(ChatMessage message, int index) =>
        new($"Message {index} has role '{message.Role}', which the {Name} chat template does not render here; use system, user or assistant.");

    /// <summary>Creates a template by name (one of <see cref="Names"/>).</summary>
    /// <param name="name">The template.</param>
    /// <param name="bosToken">The BOS text templates render (Gemma: <c>&lt;bos&gt;</c>, Llama 3: <c>&lt;|begin_of_text|&gt;</c>).</param>
    /// <param name="eosToken">The EOS text (used by <c>plain</c> after assistant messages).</param>
    /// <param name="options">Template variables.</param>
    public static ChatTemplate Create(string name, string? bosToken = null, string? eosToken = null, ChatTemplateOptions? options = null)
    {
        options ??= ChatTemplateOptions.Default;
        return name switch
        {
            "qwen2.5" => new Qwen25ChatTemplate(options),
            "qwen3" => new Qwen3ChatTemplate(options),
            "gemma3" => new Gemma3ChatTemplate(bosToken, options),
            "llama3" => new Llama3ChatTemplate(Llama3ChatTemplate.Variant.Llama30, bosToken, options),
            "llama3.1" => new Llama3ChatTemplate(Llama3ChatTemplate.Variant.Llama31, bosToken, options),
            "llama3.2" => new Llama3ChatTemplate(Llama3ChatTemplate.Variant.Llama32, bosToken, options),
            "chatml" => new ChatMLChatTemplate("chatml", defaultSystemPrompt: null, options),
            "smollm2" => new ChatMLChatTemplate("smollm2", ChatMLChatTemplate.SmolLM2SystemPrompt, options),
            "plain" => new PlainChatTemplate(eosToken, options),
            _ => throw new ChatTemplateException($"'{name}' is not a chat template Retain knows; choose one of: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>
    /// The chat template of a model directory (or of the directory of a tokenizer.json path). With
    /// <paramref name="explicitName"/> that template is used; otherwise the template text — from
    /// <c>chat_template.jinja</c>, else <c>chat_template.json</c>, else <c>tokenizer_config.json["chat_template"]</c>
    /// — is recognised by its distinctive markers (<see cref="Recognize"/>). BOS / EOS texts come from
    /// tokenizer_config.json.
    /// </summary>
    /// <exception cref="ChatTemplateException">No template, an unrecognised one, or an unknown explicit name; the
    /// message names the file and the names the explicit option accepts.</exception>
    public static ChatTemplate Load(string modelDirectory, string? explicitName = null, ChatTemplateOptions? options = null)
    {
        var directory = File.Exists(modelDirectory) ? Path.GetDirectoryName(Path.GetFullPath(modelDirectory))! : modelDirectory;
        if (!Directory.Exists(directory)) throw new ChatTemplateException($"Model directory not found: {modelDirectory}.");
        var source = ChatTemplateSource.Read(directory);
        if (explicitName is not null) return Create(explicitName, source.BosToken, source.EosToken, options);
        if (source.Template is null)
        {
            throw new ChatTemplateException(
                $"{directory} has no chat template (looked for chat_template.jinja, chat_template.json and " +
                $"tokenizer_config.json \"chat_template\"); choose one explicitly: {string.Join(", ", Names)} " +
                "(plain renders without a template).");
        }
        var name = Recognize(source.Template.Text) ?? throw new ChatTemplateException(
            $"{source.Template.File}: the chat template is not one Retain recognises; choose one explicitly: {string.Join(", ", Names)}.");
        return Create(name, source.BosToken, source.EosToken, options);
    }

    /// <summary>The name of the template <paramref name="templateText"/> is, by its distinctive markers; null when
    /// it is none Retain implements.</summary>
    public static string? Recognize(string templateText)
    {
        bool Has(string marker) => templateText.Contains(marker, StringComparison.Ordinal);
        var compact = Compact(templateText);
        if (Has("<|im_start|>") && Has("last_query_index") && Has("enable_thinking") && Has("<think>")) return "qwen3";
        if (Has("<|im_start|>") && Has("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.") && !Has("<think>")) return "qwen2.5";
        if (Has("<start_of_turn>") && Has("first_user_prefix") && Has("Conversation roles must alternate")) return "gemma3";
        if (Has("<|start_header_id|>") && Has("Cutting Knowledge Date: December 2023") && Has("Today Date: "))
            return Has("strftime_now") ? "llama3.2" : "llama3.1";
        if (compact == Compact(Llama3ChatTemplate.Llama30Source)) return "llama3";
        if (compact == Compact(ChatMLChatTemplate.SmolLM2Source)) return "smollm2";
        if (compact == Compact(ChatMLChatTemplate.ChatMLSource)) return "chatml";
        return null;
    }

    /// <summary>The template without white space and without <c>\n</c> escapes, so that the same template stored with
    /// real or escaped newlines, or re-indented, compares equal.</summary>
    private static string Compact(string text) =>
        string.Concat(text.Replace("\\n", "", StringComparison.Ordinal).Where(c => !char.IsWhiteSpace(c)));
}
