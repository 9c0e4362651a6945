using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Retain.Data;

namespace Retain.Datasets.MedCalc;

/// <summary>Options of the <c>medcalc</c> dataset.</summary>
public sealed class MedCalcOptions
{
    /// <summary>The test CSV.</summary>
    [Description("MedCalc-Bench test data (14 columns): test_data.csv, the Hub's data/test-00000-of-00001.parquet, or the dataset folder (a hub-cache datasets--ncbi--MedCalc-Bench-v1.0 folder too), whose test files are used. Without TrainPath it is split into train/validation/test.")]
    [Required(AllowEmptyStrings = false)]
    public string TestPath { get; set; } = "medcalc_bench/test_data.csv";

    /// <summary>The train CSV, when available.</summary>
    [Description("MedCalc-Bench train data (same columns): a CSV or Parquet file, or the dataset folder, whose train files are used. When set, train and validation come from it and the whole test data is the test split.")]
    public string? TrainPath { get; set; }

    /// <summary>Validation share.</summary>
    [Description("Share of the training rows (of TrainPath, or of TestPath when TrainPath is unset) held out for validation, per calculator.")]
    [Range(0.0, 1.0)]
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Test share when splitting one file.</summary>
    [Description("Without TrainPath: share of TestPath's rows, per calculator, that form the test split. Ignored when TrainPath is set.")]
    [Range(0.0, 1.0)]
    public double TestFraction { get; set; } = 0.3;

    /// <summary>Split seed.</summary>
    [Description("Seed of the seeded split; unset uses the run's seed.")]
    public int? Seed { get; set; }

    /// <summary>Prompt style.</summary>
    [Description("Prompt and target format: ZeroShot (MedCalc-Bench zero-shot JSON), OneShot, DirectAnswer, or Paper (the paper's <think>/<answer> prompt).")]
    public MedCalcPromptStyle PromptStyle { get; set; } = MedCalcPromptStyle.ZeroShot;

    /// <summary>One-shot exemplars.</summary>
    [Description("MedCalc-Bench one_shot_finalized_explanation.json; read only when PromptStyle is OneShot.")]
    public string OneShotPath { get; set; } = "medcalc_bench/one_shot_finalized_explanation.json";

    /// <summary>Bad-row policy.</summary>
    [Description("What to do with rows that cannot be used (malformed CSV, unknown calculator, empty target, ungradable ground truth): Fail stops with file:line, Skip skips and reports them.")]
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;

    /// <summary>Generation budget.</summary>
    [Description("Token budget for generating an answer (MedCalc-Bench allows up to 4096).")]
    [Range(1, 1_000_000)]
    public int MaxNewTokens { get; set; } = 2048;
}

/// <summary>Checks the <see cref="MedCalcOptions"/> rules that span several options.</summary>
public sealed class MedCalcOptionsValidator : IValidateOptions<MedCalcOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MedCalcOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TestPath)) failures.Add("testPath: set the MedCalc-Bench test CSV.");
        if (options.TrainPath is null && options.ValidationFraction + options.TestFraction >= 1)
        {
            failures.Add($"validationFraction ({options.ValidationFraction}) + testFraction ({options.TestFraction}) must be below 1 so that testPath leaves rows to train on (or set trainPath).");
        }
        if (options.TrainPath is not null && options.ValidationFraction >= 1)
        {
            failures.Add($"validationFraction ({options.ValidationFraction}) must be below 1 so that trainPath leaves rows to train on.");
        }
        if (options.PromptStyle == MedCalcPromptStyle.OneShot && string.IsNullOrWhiteSpace(options.OneShotPath))
        {
            failures.Add("oneShotPath: promptStyle one-shot needs MedCalc-Bench's one_shot_finalized_explanation.json.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
