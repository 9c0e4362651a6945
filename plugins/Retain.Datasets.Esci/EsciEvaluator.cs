using Retain.Data;
using Retain.Datasets.Scoring;
using Retain.Evaluation;

namespace Retain.Datasets.Esci;

/// <summary>
/// Grades ESCI responses: the label in the last &lt;answer&gt; of the response prefix plus the response (a number
/// 0–3, a letter E/S/C/I or a class name), compared with the gold class; an answer naming no class is
/// <see cref="EsciLabels.Invalid"/>, a miss. The headline is balanced accuracy (mean per-class recall over the gold
/// classes present, as scikit-learn computes it), with per-class recall and support, plain accuracy, the invalid
/// rate and the confusion matrix.
/// </summary>
public sealed class EsciEvaluator(int maxNewTokens) : IDomainEvaluator
{
    /// <summary>Metadata key of the gold class.</summary>
    public const string LabelKey = "label";

    /// <inheritdoc />
    public GenerationSettings Generation { get; } = GenerationSettings.Greedy(maxNewTokens);

    /// <inheritdoc />
    public Verdict Grade(Example example, string response)
    {
        string? raw = EsciLabels.ExtractAnswer(example.ResponsePrefix + response);
        string predicted = raw is null ? EsciLabels.Invalid : EsciLabels.Parse(raw)!;
        return new Verdict(raw, predicted == example.Reference, predicted);
    }

    /// <inheritdoc />
    public DomainScore Summarize(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts)
    {
        Accuracy.CheckPairs(examples, verdicts);
        var score = Classification.Score(examples.Select(e => e.Reference).ToList(), verdicts.Select(v => v.Label ?? EsciLabels.Invalid).ToList());
        var details = new Dictionary<string, double>
        {
            ["accuracy"] = score.Accuracy,
            ["invalid_rate"] = verdicts.Count == 0 ? 0 : verdicts.Count(v => v.Label is null or EsciLabels.Invalid) / (double)verdicts.Count,
        };
        foreach (var (label, recall) in score.Recall) details[$"recall/{label}"] = recall;
        foreach (var (label, support) in score.Support) details[$"support/{label}"] = support;
        return new DomainScore("balanced_accuracy", score.BalancedAccuracy, verdicts.Count) { Details = details, Confusion = score.Confusion };
    }
}
