using Retain.Data;

namespace Retain.Datasets.Formats;

/// <summary>A parsed row: the prompt messages, the target, and the reference when the row names one.</summary>
/// <param name="Prompt">The prompt, ending with a user message.</param>
/// <param name="Target">The assistant's target.</param>
/// <param name="Reference">The row's reference field, or null (grade against the target).</param>
/// <param name="Id">The row's <c>id</c> field, or null.</param>
public sealed record FormatRow(IReadOnlyList<ChatMessage> Prompt, string Target, string? Reference, string? Id)
{
    /// <summary>The content key seeded splits rank rows by.</summary>
    public string ContentKey => string.Join("\u0001", Prompt.Select(m => m.Role + "\u0002" + m.Content)) + "\u0003" + Target;
}
