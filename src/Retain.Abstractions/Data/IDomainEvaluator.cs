namespace Retain.Data;

/// <summary>
/// Grades generated responses for a dataset: the host generates with <see cref="Generation"/> from each example's
/// prompt, then calls <see cref="Grade"/> per response and <see cref="Summarize"/> once.
/// </summary>
public interface IDomainEvaluator
{
    /// <summary>How to generate responses (token budget, stop strings).</summary>
    Evaluation.GenerationSettings Generation { get; }

    /// <summary>Extracts the answer from one response and grades it.</summary>
    Verdict Grade(Example example, string response);

    /// <summary>Aggregates verdicts into the domain score and its breakdowns.</summary>
    DomainScore Summarize(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts);
}

/// <summary>The grading of one response.</summary>
/// <param name="Extracted">The extracted answer, or null when none could be found.</param>
/// <param name="Correct">Whether it is right.</param>
/// <param name="Label">For classification: the predicted class (used in confusion matrices); else null.</param>
public sealed record Verdict(string? Extracted, bool Correct, string? Label = null)
{
    /// <summary>
    /// Further per-response scores in [0, 1] (e.g. <c>exact_match,strict-match</c> beside a flexible headline);
    /// <see cref="IDomainEvaluator.Summarize"/> reports their means.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, double>.Empty;
}

/// <summary>A domain score with its breakdowns.</summary>
/// <param name="Metric">The headline metric's name, e.g. <c>accuracy</c> or <c>balanced_accuracy</c>.</param>
/// <param name="Value">Its value in [0, 1].</param>
/// <param name="Count">Graded examples.</param>
public sealed record DomainScore(string Metric, double Value, int Count)
{
    /// <summary>Other metrics and breakdowns, e.g. <c>accuracy/category=lab</c> or <c>recall/Exact</c>.</summary>
    public IReadOnlyDictionary<string, double> Details { get; init; } = new Dictionary<string, double>();

    /// <summary>Confusion matrix for classification datasets (gold label → predicted label → count); else null.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>>? Confusion { get; init; }
}

/// <summary>Extracts a final answer from a response; registered as a plugin component.</summary>
public interface IAnswerExtractor
{
    /// <summary>The answer, or null when the response holds none.</summary>
    string? Extract(string response);
}
