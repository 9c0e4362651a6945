using System.Globalization;
using Retain.Data;
using Retain.Datasets.MedCalc.Grading;
using Retain.Datasets.Scoring;
using Retain.Evaluation;

namespace Retain.Datasets.MedCalc;

/// <summary>
/// Grades MedCalc responses as MedCalc-Bench does: <see cref="MedCalcAnswer.Extract"/> on the response (after the
/// example's response prefix), then <see cref="MedCalcGrading.IsCorrect"/> against the row's Ground Truth Answer and
/// limits. The summary is overall accuracy with its standard error, and accuracy per category, per calculator and per
/// answer kind (date, weeks-days, integer, decimal).
/// </summary>
public sealed class MedCalcEvaluator(int maxNewTokens) : IDomainEvaluator
{
    /// <summary>Metadata key of the calculator id.</summary>
    public const string CalculatorIdKey = "calculator_id";
    /// <summary>Metadata key of the category.</summary>
    public const string CategoryKey = "category";
    /// <summary>Metadata key of the answer kind.</summary>
    public const string AnswerKindKey = "answer_kind";
    /// <summary>Metadata key of the Lower Limit.</summary>
    public const string LowerLimitKey = "lower_limit";
    /// <summary>Metadata key of the Upper Limit.</summary>
    public const string UpperLimitKey = "upper_limit";

    /// <inheritdoc />
    public GenerationSettings Generation { get; } = GenerationSettings.Greedy(maxNewTokens);

    /// <inheritdoc />
    public Verdict Grade(Example example, string response)
    {
        int calculatorId = int.Parse(Required(example, CalculatorIdKey), CultureInfo.InvariantCulture);
        var answer = MedCalcAnswer.Extract(example.ResponsePrefix + response, calculatorId, out _);
        bool correct = MedCalcGrading.IsCorrect(answer, example.Reference, calculatorId, Required(example, UpperLimitKey), Required(example, LowerLimitKey));
        return new Verdict(answer, correct);
    }

    /// <inheritdoc />
    public DomainScore Summarize(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts)
    {
        Accuracy.CheckPairs(examples, verdicts);
        double accuracy = Accuracy.Of(verdicts);
        var details = new Dictionary<string, double>
        {
            ["accuracy_stderr"] = Accuracy.StdErr(accuracy, verdicts.Count),
            ["extracted_rate"] = verdicts.Count == 0 ? 0 : verdicts.Count(v => v.Extracted is not null and not "N/A" and not "Not Found") / (double)verdicts.Count,
        };
        Accuracy.AddBreakdown(details, examples, verdicts, CategoryKey, "category");
        Accuracy.AddBreakdown(details, examples, verdicts, CalculatorIdKey, "calculator");
        Accuracy.AddBreakdown(details, examples, verdicts, AnswerKindKey, "answer_kind");
        return new DomainScore("accuracy", accuracy, verdicts.Count) { Details = details };
    }

    private static string Required(Example example, string key) => example.Metadata.TryGetValue(key, out var value)
        ? value
        : throw new ArgumentException($"Example {example.Id} has no '{key}' metadata; MedCalc grading needs examples loaded by the medcalc dataset.");
}
