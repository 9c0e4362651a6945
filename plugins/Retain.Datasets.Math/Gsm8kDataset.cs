using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;
using Retain.Plugins;

namespace Retain.Datasets.MathProblems;

/// <summary>
/// GSM8K as a domain: the train file's solutions are the chain-of-thought targets (verbatim, calculator annotations
/// and the final <c>#### N</c> line included, unless <see cref="Gsm8kOptions.KeepCalculatorAnnotations"/> is off), the
/// test file is the test split, and validation is a seeded share of the train file: rows ranked by
/// <see cref="StableHash.Of"/>(seed, question), the first round(n·ValidationFraction) held out.
/// </summary>
[RetainComponent("gsm8k", Description = "GSM8K: grade-school math with worked solutions; graded with lm-eval's strict and flexible extraction.", Options = typeof(Gsm8kOptions))]
public sealed class Gsm8kDataset(Gsm8kOptions options) : IDataset
{
    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        int seed = options.Seed ?? context.Seed;
        string trainPath = context.Data.Resolve(options.TrainPath);
        string testPath = context.Data.Resolve(options.TestPath);
        var train = MathFiles.ReadGsm8k(trainPath, DataSplit.Train, issues, report);
        var test = MathFiles.ReadGsm8k(testPath, DataSplit.Test, issues, report);
        var parts = SeededSplit.Split(train, p => p.Question, seed, options.ValidationFraction, 0);
        report.Notes.Add($"validation: {options.ValidationFraction:0.###} of {trainPath} (seed {seed}, rows ranked by StableHash of the question); test: {testPath}.");
        if (!options.KeepCalculatorAnnotations) report.Notes.Add("calculator annotations <<...>> removed from targets.");

        string Target(MathProblem p) => options.KeepCalculatorAnnotations ? p.Solution : MathFiles.WithoutAnnotations(p.Solution);
        return new DatasetSplits
        {
            Train = parts.Train.Select(p => MathExamples.From(p, options, Target(p))).ToList(),
            Validation = parts.Validation.Select(p => MathExamples.From(p, options, Target(p))).ToList(),
            Test = test.Select(p => MathExamples.From(p, options, Target(p))).ToList(),
            Report = report,
        };
    }

    /// <inheritdoc />
    public IDomainEvaluator CreateEvaluator(DatasetLoadContext context) => new Gsm8kEvaluator(options.MaxNewTokens);
}
