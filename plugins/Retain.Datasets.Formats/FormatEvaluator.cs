using System.Text.RegularExpressions;
using Retain.Data;
using Retain.Datasets.Extraction;
using Retain.Datasets.Scoring;
using Retain.Evaluation;

namespace Retain.Datasets.Formats;

/// <summary>
/// Grades a format dataset's responses: ExactMatch compares the whole response with the reference; Regex and
/// Extractor take the answer out of the response (no answer: wrong) and out of the reference when the reference is the
/// row's target (a reference field is used as is; a target in which nothing is found is used whole), then compare.
/// Comparison trims, optionally ignores case, and compares numbers as numbers when both sides read as one.
/// </summary>
public sealed class FormatEvaluator : IDomainEvaluator
{
    /// <summary>Metadata key saying whether the reference came from a reference field ("true") or the target ("false").</summary>
    public const string ExplicitReferenceKey = "explicit_reference";

    private readonly Func<string, string?>? _extract;
    private readonly bool _ignoreCase;
    private readonly bool _compareNumbers;

    private FormatEvaluator(Func<string, string?>? extract, FormatOptions options)
    {
        _extract = extract;
        _ignoreCase = options.IgnoreCase;
        _compareNumbers = options.CompareNumbers;
        Generation = new GenerationSettings(options.MaxNewTokens, options.Stop.ToArray());
    }

    /// <summary>The evaluator the options describe; Extractor mode asks the host for the named extractor.</summary>
    public static FormatEvaluator Create(FormatOptions options, DatasetLoadContext context)
    {
        Func<string, string?>? extract = options.Evaluation switch
        {
            FormatEvaluation.ExactMatch => null,
            FormatEvaluation.Regex => RegexExtractor(options.Pattern ?? throw new InvalidOperationException("pattern: evaluation is regex but no pattern is set.")),
            FormatEvaluation.Extractor => (context.AnswerExtractors
                    ?? throw new InvalidOperationException($"extractor: evaluation is extractor ('{options.Extractor}') but the host offers no answer extractors."))
                (options.Extractor ?? throw new InvalidOperationException("extractor: evaluation is extractor but no extractor name is set.")).Extract,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Evaluation, "unknown Evaluation"),
        };
        return new FormatEvaluator(extract, options);
    }

    /// <inheritdoc />
    public GenerationSettings Generation { get; }

    /// <inheritdoc />
    public Verdict Grade(Example example, string response)
    {
        string text = example.ResponsePrefix + response;
        if (_extract is null)
        {
            return new Verdict(text.Trim(), AnswerPatterns.Matches(text, example.Reference, _ignoreCase, _compareNumbers));
        }
        string? answer = _extract(text);
        if (answer is null) return new Verdict(null, false);
        bool explicitReference = example.Metadata.TryGetValue(ExplicitReferenceKey, out var flag) && flag == "true";
        string reference = explicitReference ? example.Reference : _extract(example.Reference) ?? example.Reference;
        return new Verdict(answer, AnswerPatterns.Matches(answer, reference, _ignoreCase, _compareNumbers));
    }

    /// <inheritdoc />
    public DomainScore Summarize(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts)
    {
        Accuracy.CheckPairs(examples, verdicts);
        double accuracy = Accuracy.Of(verdicts);
        return new DomainScore("accuracy", accuracy, verdicts.Count)
        {
            Details = new Dictionary<string, double>
            {
                ["accuracy_stderr"] = Accuracy.StdErr(accuracy, verdicts.Count),
                ["extracted_rate"] = verdicts.Count == 0 ? 0 : verdicts.Count(v => v.Extracted is not null) / (double)verdicts.Count,
            },
        };
    }

    /// <summary>The last match of <paramref name="pattern"/>: its first group when the pattern has groups, else the whole match.</summary>
    private static Func<string, string?> RegexExtractor(string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        return text =>
        {
            var matches = regex.Matches(text);
            if (matches.Count == 0) return null;
            var last = matches[^1];
            return last.Groups.Count > 1 ? last.Groups[1].Value : last.Value;
        };
    }
}
