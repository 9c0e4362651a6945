namespace Retain.Kernel.Chat;

/// <summary>The variables a chat template reads besides the messages (what <c>apply_chat_template</c> passes as
/// extra keyword arguments).</summary>
public sealed class ChatTemplateOptions
{
    /// <summary>Qwen3's <c>enable_thinking</c>: null when not passed (the template's default, thinking on). Only
    /// <c>false</c> changes the rendering: the generation prompt then ends with an empty think block.</summary>
    public bool? EnableThinking { get; init; }

    /// <summary>Llama 3.1+'s <c>date_string</c>, e.g. <c>26 Jul 2024</c>; null for the template's default (3.1 / 3.3:
    /// "26 Jul 2024"; 3.2: today's date, as <c>strftime_now("%d %b %Y")</c>).</summary>
    public string? DateString { get; init; }

    /// <summary>No extra variables.</summary>
    public static ChatTemplateOptions Default { get; } = new();
}

/// <summary>A supervised fine-tuning example rendered with a chat template.</summary>
/// <param name="Prompt">The rendered prompt messages with the generation prompt: conditioning only.</param>
/// <param name="Target">What follows the prompt in the rendering of the whole conversation: the loss is computed on
/// it.</param>
public sealed record SftText(string Prompt, string Target)
{
    /// <summary>The whole rendered conversation.</summary>
    public string Full => Prompt + Target;
}

/// <summary>A conversation a chat template cannot render (e.g. roles that do not alternate for Gemma), or a chat
/// template that cannot be chosen or read. The message says what to change.</summary>
public sealed class ChatTemplateException(string message, Exception? inner = null) : Exception(message, inner);
