using Retain.Data;
using Retain.Datasets.Extraction;
using Retain.Datasets.Scoring;
using Retain.Evaluation;

namespace Retain.Datasets.MathProblems;

/// <summary>
/// Grades math responses as lm-evaluation-harness grades GSM8K: the strict-match filter (<c>#### N</c>) and the
/// flexible-extract filter (the last number), each scored by exact_match against the final answer. The headline is
/// <c>exact_match,flexible-extract</c>, the metric the paper reports for GSM8K and the only one that credits answers
/// not written as <c>#### N</c> (MetaMathQA-trained models answer <c>The answer is: N</c>); strict-match is reported
/// beside it.
/// </summary>
public sealed class Gsm8kEvaluator(int maxNewTokens) : IDomainEvaluator
{
    /// <summary>The headline metric.</summary>
    public const string FlexibleMetric = "exact_match,flexible-extract";

    /// <summary>The strict metric.</summary>
    public const string StrictMetric = "exact_match,strict-match";

    /// <inheritdoc />
    public GenerationSettings Generation { get; } = GenerationSettings.Greedy(maxNewTokens, "Question:", "</s>", "<|im_end|>");

    /// <inheritdoc />
    public Verdict Grade(Example example, string response)
    {
        string text = example.ResponsePrefix + response;
        string flexible = Gsm8kAnswers.Flexible.Apply(text);
        string strict = Gsm8kAnswers.Strict.Apply(text);
        bool flexibleCorrect = Gsm8kAnswers.ExactMatch(flexible, example.Reference);
        bool strictCorrect = Gsm8kAnswers.ExactMatch(strict, example.Reference);
        return new Verdict(flexible == RegexFilter.Invalid ? null : flexible, flexibleCorrect)
        {
            Metrics = new Dictionary<string, double>
            {
                [FlexibleMetric] = flexibleCorrect ? 1 : 0,
                [StrictMetric] = strictCorrect ? 1 : 0,
            },
        };
    }

    /// <inheritdoc />
    public DomainScore Summarize(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts)
    {
        Accuracy.CheckPairs(examples, verdicts);
        var details = new Dictionary<string, double>();
        Accuracy.AddVerdictMetrics(details, verdicts);
        double flexible = Accuracy.Of(verdicts);
        details[FlexibleMetric + "_stderr"] = SampleStdErr(flexible, verdicts.Count);
        if (details.TryGetValue(StrictMetric, out double strict)) details[StrictMetric + "_stderr"] = SampleStdErr(strict, verdicts.Count);
        Accuracy.AddBreakdown(details, examples, verdicts, "type", "type");
        return new DomainScore(FlexibleMetric, flexible, verdicts.Count) { Details = details };
    }

    /// <summary>lm-eval's stderr of a mean of 0/1 scores: sample standard deviation (n − 1) over √n.</summary>
    private static double SampleStdErr(double p, int n) => n < 2 ? double.NaN : Math.Sqrt(p * (1 - p) / (n - 1));
}
