using System.Globalization;
using Retain.Data;
using Retain.Datasets.MedCalc.Grading;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;
using Retain.Plugins;

namespace Retain.Datasets.MedCalc;

/// <summary>
/// MedCalc-Bench as a domain. With <see cref="MedCalcOptions.TrainPath"/>, train and validation come from the train
/// CSV (validation = a seeded share of it) and test is the whole test CSV. Without it, the one CSV is split three
/// ways. Both splits are seeded and stratified by calculator: within each Calculator ID, rows are ranked by
/// <see cref="StableHash.Of"/>(seed, "CalculatorID|NoteID"), the first round(n·TestFraction) go to test, the next
/// round(n·ValidationFraction) to validation, the rest to train (see <see cref="SeededSplit"/>).
/// </summary>
[RetainComponent("medcalc", Description = "MedCalc-Bench: patient note + calculator question; graded exactly as MedCalc-Bench's evaluate.py.", Options = typeof(MedCalcOptions))]
public sealed class MedCalcDataset(MedCalcOptions options) : IDataset
{
    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        int seed = options.Seed ?? context.Seed;
        bool needsExplanation = options.PromptStyle != MedCalcPromptStyle.DirectAnswer;
        var exemplars = options.PromptStyle == MedCalcPromptStyle.OneShot
            ? MedCalcExemplars.Load(context.Data.Resolve(options.OneShotPath))
            : null;

        string testPath = context.Data.Resolve(options.TestPath);
        var testRows = MedCalcRow.ReadAll(testPath, DataSplit.Test, issues, report, needsExplanation);
        SplitParts<MedCalcRow> parts;
        if (options.TrainPath is { } trainOption)
        {
            string trainPath = context.Data.Resolve(trainOption);
            var trainRows = MedCalcRow.ReadAll(trainPath, DataSplit.Train, issues, report, needsExplanation);
            var train = SeededSplit.Split(trainRows, r => r.SplitKey, seed, options.ValidationFraction, 0, Stratum);
            parts = new SplitParts<MedCalcRow>(train.Train, train.Validation, testRows);
            report.Notes.Add($"train/validation from {trainPath} (validation: {options.ValidationFraction:0.###} per calculator, seed {seed}); test = all of {testPath}.");
        }
        else
        {
            parts = SeededSplit.Split(testRows, r => r.SplitKey, seed, options.ValidationFraction, options.TestFraction, Stratum);
            report.Notes.Add($"one file split per calculator (test {options.TestFraction:0.###}, validation {options.ValidationFraction:0.###}, seed {seed}, rows ranked by StableHash of 'CalculatorID|NoteID'): {testPath}.");
        }
        report.Notes.Add($"prompt style {options.PromptStyle}.");

        return new DatasetSplits
        {
            Train = parts.Train.Select(r => ToExample(r, exemplars)).ToList(),
            Validation = parts.Validation.Select(r => ToExample(r, exemplars)).ToList(),
            Test = parts.Test.Select(r => ToExample(r, exemplars)).ToList(),
            Report = report,
        };
    }

    /// <inheritdoc />
    public IDomainEvaluator CreateEvaluator(DatasetLoadContext context) => new MedCalcEvaluator(options.MaxNewTokens);

    private static string Stratum(MedCalcRow row) => row.CalculatorId.ToString(CultureInfo.InvariantCulture);

    private Example ToExample(MedCalcRow row, IReadOnlyDictionary<int, MedCalcExemplar>? exemplars)
    {
        MedCalcExemplar? exemplar = null;
        if (exemplars is not null && !exemplars.TryGetValue(row.CalculatorId, out exemplar))
        {
            throw new DataException($"{options.OneShotPath}: no one-shot exemplar for Calculator ID {row.CalculatorId} (needed by {row.File}:{row.Line}).");
        }
        return new Example
        {
            Id = $"{Path.GetFileNameWithoutExtension(row.File)}:{row.RowNumber}",
            Prompt = MedCalcPrompts.Prompt(options.PromptStyle, row, exemplar),
            Target = MedCalcPrompts.Target(options.PromptStyle, row),
            ResponsePrefix = MedCalcPrompts.ResponsePrefix(options.PromptStyle),
            Reference = row.GroundTruthAnswer,
            Source = $"{Path.GetFileName(row.File)}:{row.Line}",
            Metadata = new Dictionary<string, string>
            {
                [MedCalcEvaluator.CalculatorIdKey] = row.CalculatorId.ToString(CultureInfo.InvariantCulture),
                ["calculator_name"] = row.CalculatorName,
                [MedCalcEvaluator.CategoryKey] = row.Category,
                [MedCalcEvaluator.AnswerKindKey] = Calculators.Name(Calculators.KindOf(row.CalculatorId)!.Value),
                ["output_type"] = row.OutputType,
                ["note_id"] = row.NoteId,
                ["note_type"] = row.NoteType,
                ["row_number"] = row.RowNumber,
                [MedCalcEvaluator.LowerLimitKey] = row.LowerLimit,
                [MedCalcEvaluator.UpperLimitKey] = row.UpperLimit,
            },
        };
    }
}
