using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Retain.Data;

namespace Retain.Datasets.Formats;

/// <summary>How a format dataset's responses are graded.</summary>
public enum FormatEvaluation
{
    /// <summary>The whole response equals the reference (trimmed; see IgnoreCase and CompareNumbers).</summary>
    ExactMatch,
    /// <summary>The last match of Pattern (its first group, if any) in the response equals the reference's.</summary>
    Regex,
    /// <summary>The answer-extractor component named by Extractor, applied to the response and the reference.</summary>
    Extractor,
}

/// <summary>Options every format dataset shares: files, splits, prompt, grading, bad rows.</summary>
public abstract class FormatOptions
{
    /// <summary>Training file.</summary>
    [Description("The data file (JSONL, or a JSON array). Without ValidationPath/TestPath it is also the source of those splits.")]
    [Required(AllowEmptyStrings = false)]
    public string TrainPath { get; set; } = "";

    /// <summary>Validation file.</summary>
    [Description("Validation file in the same format; unset: ValidationFraction of TrainPath.")]
    public string? ValidationPath { get; set; }

    /// <summary>Test file.</summary>
    [Description("Test file in the same format; unset: TestFraction of TrainPath.")]
    public string? TestPath { get; set; }

    /// <summary>Validation share when there is no validation file.</summary>
    [Description("Share of TrainPath held out for validation when ValidationPath is unset (rows ranked by a seeded hash of their content).")]
    [Range(0.0, 0.99)]
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Test share when there is no test file.</summary>
    [Description("Share of TrainPath held out for test when TestPath is unset.")]
    [Range(0.0, 0.99)]
    public double TestFraction { get; set; } = 0.05;

    /// <summary>Split seed.</summary>
    [Description("Seed of the held-out splits; unset uses the run's seed.")]
    public int? Seed { get; set; }

    /// <summary>Default system message.</summary>
    [Description("System message for rows that have none; unset: none.")]
    public string? SystemPrompt { get; set; }

    /// <summary>Reference field.</summary>
    [Description("Row field holding the answer to grade against; rows without it are graded against their target.")]
    public string ReferenceField { get; set; } = "reference";

    /// <summary>Grading rule.</summary>
    [Description("ExactMatch, Regex (Pattern) or Extractor (an answer-extractor component named by Extractor).")]
    public FormatEvaluation Evaluation { get; set; } = FormatEvaluation.ExactMatch;

    /// <summary>Regex for Evaluation = Regex.</summary>
    [Description("Evaluation = Regex: the pattern; the last match's first group (or whole match) is the answer.")]
    public string? Pattern { get; set; }

    /// <summary>Extractor name for Evaluation = Extractor.</summary>
    [Description("Evaluation = Extractor: the answer-extractor component (last-number, gsm8k-strict, gsm8k-flexible, json-answer, boxed, answer-tag, or a plugin's).")]
    public string? Extractor { get; set; }

    /// <summary>Case-insensitive comparison.</summary>
    [Description("Compare answers ignoring case.")]
    public bool IgnoreCase { get; set; }

    /// <summary>Numeric comparison.</summary>
    [Description("When both answers read as numbers (after removing ',' '$' and a final '.'), compare them as numbers.")]
    public bool CompareNumbers { get; set; } = true;

    /// <summary>Generation budget.</summary>
    [Description("Token budget for generating a response.")]
    [Range(1, 1_000_000)]
    public int MaxNewTokens { get; set; } = 512;

    /// <summary>Stop strings.</summary>
    [Description("Strings that end generation (besides the model's end-of-sequence tokens).")]
    public List<string> Stop { get; set; } = [];

    /// <summary>Bad-row policy.</summary>
    [Description("Rows that cannot be used (invalid JSON, unknown schema or role, empty target): Fail stops with file:line, Skip skips and reports them.")]
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;
}

/// <summary>Options of the <c>jsonl</c> dataset.</summary>
public sealed class JsonlOptions : FormatOptions;

/// <summary>Options of the <c>alpaca</c> dataset.</summary>
public sealed class AlpacaOptions : FormatOptions;

/// <summary>Checks the <see cref="FormatOptions"/> rules that span several options.</summary>
public sealed class FormatOptionsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : FormatOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TrainPath)) failures.Add("trainPath: set the data file.");
        double held = (options.ValidationPath is null ? options.ValidationFraction : 0) + (options.TestPath is null ? options.TestFraction : 0);
        if (held >= 1) failures.Add($"validationFraction + testFraction ({held}) must be below 1 so that trainPath leaves rows to train on.");
        switch (options.Evaluation)
        {
            case FormatEvaluation.Regex when string.IsNullOrEmpty(options.Pattern):
                failures.Add("pattern: evaluation is regex but no pattern is set.");
                break;
            case FormatEvaluation.Regex:
                try
                {
                    _ = new Regex(options.Pattern!);
                }
                catch (ArgumentException e)
                {
                    failures.Add($"pattern: '{options.Pattern}' is not a valid regular expression: {e.Message}");
                }
                break;
            case FormatEvaluation.Extractor when string.IsNullOrWhiteSpace(options.Extractor):
                failures.Add("extractor: evaluation is extractor but no answer-extractor name is set (e.g. last-number).");
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
