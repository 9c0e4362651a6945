using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;
using Retain.Plugins;

namespace Retain.Datasets.MathProblems;

/// <summary>
/// MetaMathQA for training, GSM8K test for evaluation (the paper's appendix C.3, after Sanyal et al.): targets are the
/// MetaMathQA responses verbatim (ending <c>The answer is: N</c>), validation is a seeded share of the MetaMathQA rows
/// (ranked by <see cref="StableHash.Of"/>(seed, query)) graded on their final answer, and the test split is GSM8K test
/// graded as the <c>gsm8k</c> dataset grades it.
/// </summary>
[RetainComponent("metamathqa", Description = "MetaMathQA (query/response/type) for training, evaluated on GSM8K test.", Options = typeof(MetaMathQaOptions))]
public sealed class MetaMathQaDataset(MetaMathQaOptions options) : IDataset
{
    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        int seed = options.Seed ?? context.Seed;
        string trainPath = context.Data.Resolve(options.TrainPath);
        string testPath = context.Data.Resolve(options.TestPath);
        var train = MathFiles.ReadMetaMathQa(trainPath, options.Types, issues, report);
        var test = MathFiles.ReadGsm8k(testPath, DataSplit.Test, issues, report);
        var parts = SeededSplit.Split(train, p => p.Question, seed, options.ValidationFraction, 0);
        report.Notes.Add($"validation: {options.ValidationFraction:0.####} of {trainPath} (seed {seed}, rows ranked by StableHash of the query); test: GSM8K {testPath}.");
        return new DatasetSplits
        {
            Train = parts.Train.Select(p => MathExamples.From(p, options, p.Solution)).ToList(),
            Validation = parts.Validation.Select(p => MathExamples.From(p, options, p.Solution)).ToList(),
            Test = test.Select(p => MathExamples.From(p, options, p.Solution)).ToList(),
            Report = report,
        };
    }

    /// <inheritdoc />
    public IDomainEvaluator CreateEvaluator(DatasetLoadContext context) => new Gsm8kEvaluator(options.MaxNewTokens);
}
