using Retain.Evaluation;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>
/// One multiple-choice document as lm-eval turns it into log-likelihood requests: one request per choice, the gold
/// index, and the choice strings whose code-point lengths normalise <c>acc_norm</c>.
/// </summary>
/// <param name="Requests">One (context, continuation) per choice, in choice order.</param>
/// <param name="Choices">The choice strings, without the leading target delimiter.</param>
/// <param name="Gold">The right choice's index (−100 when the gold is not among the choices, as lm-eval).</param>
/// <param name="Group">A sub-task name for per-group metrics (MMLU subjects), or null.</param>
public sealed record ChoiceItem(IReadOnlyList<LoglikelihoodRequest> Requests, IReadOnlyList<string> Choices, int Gold, string? Group = null)
{
    /// <summary>The usual shape: one context, continuation = <c>" " + choice</c>.</summary>
    public static ChoiceItem SharedContext(string context, IReadOnlyList<string> choices, int gold, string? group = null) =>
        new(choices.Select(c => new LoglikelihoodRequest(context, " " + c)).ToList(), choices, NormalizeGold(gold, choices.Count), group);

    /// <summary>lm-eval's rule: an index outside the choices never matches.</summary>
    public static int NormalizeGold(int gold, int choiceCount) => gold >= 0 && gold < choiceCount ? gold : -100;
}
