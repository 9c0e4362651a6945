namespace Retain.Data;

/// <summary>
/// One domain example: the prompt messages (system and user), the SFT target the assistant should produce
/// (chain-of-thought plus answer, or the label only), the reference answer the domain evaluator grades against,
/// and free-form metadata (calculator id, category, ...).
/// </summary>
public sealed record Example
{
    /// <summary>A stable identifier within the dataset (row number, task id, ...).</summary>
    public required string Id { get; init; }

    /// <summary>The prompt, ending with a user message.</summary>
    public required IReadOnlyList<ChatMessage> Prompt { get; init; }

    /// <summary>The assistant's training target. Never empty in a loaded split.</summary>
    public required string Target { get; init; }

    /// <summary>
    /// Text the assistant's turn starts with (e.g. <c>&lt;answer&gt;</c> or <c>&lt;think&gt;</c>), empty for most datasets. It
    /// belongs to the prompt: it is appended after the chat template's generation prompt, is not supervised in
    /// training (the <see cref="Target"/> continues it), and is prefilled before generating. Responses handed to
    /// <see cref="IDomainEvaluator.Grade"/> are the generated continuation, without it.
    /// </summary>
    public string ResponsePrefix { get; init; } = "";

    /// <summary>
    /// Whether the assistant messages inside <see cref="Prompt"/> (earlier turns of a multi-turn conversation) are
    /// trained on as well as <see cref="Target"/>. False (the default): they are context, as every other prompt token.
    /// </summary>
    public bool SuperviseHistory { get; init; }

    /// <summary>What the evaluator grades against (a number, label, date, ...).</summary>
    public string Reference { get; init; } = "";

    /// <summary>Metadata for per-group metrics and reports.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the example came from, e.g. <c>test_data.csv:17</c>, for messages about it.</summary>
    public string Source { get; init; } = "";
}
