using System.ComponentModel;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>Options of <c>piqa</c>.</summary>
public sealed class PiqaOptions
{
    /// <summary>The questions.</summary>
    [Description("PIQA questions (JSONL with goal, sol1, sol2), relative to the data roots.")]
    public string DataPath { get; set; } = "general_mc/piqa/valid.jsonl";

    /// <summary>The labels, one 0/1 per line.</summary>
    [Description("PIQA labels (one 0 or 1 per line, aligned with the questions), relative to the data roots.")]
    public string LabelsPath { get; set; } = "general_mc/piqa/valid-labels.lst";
}

/// <summary>lm-eval <c>piqa</c> (validation, 1838): context <c>"Question: {goal}\nAnswer:"</c>, choices sol1/sol2.</summary>
[RetainComponent("piqa", Description = "PIQA 0-shot as lm-eval piqa: acc, acc_norm.", Options = typeof(PiqaOptions))]
public sealed class PiqaBenchmark(PiqaOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "piqa";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => true;

    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        Read(context.Data.Resolve(options.DataPath), context.Data.Resolve(options.LabelsPath));

    /// <summary>Reads the original PIQA files.</summary>
    public static List<ChoiceItem> Read(string questionsPath, string labelsPath)
    {
        var labels = File.ReadAllLines(labelsPath).ToList();
        while (labels.Count > 0 && labels[^1].Trim().Length == 0) labels.RemoveAt(labels.Count - 1);
        var questions = DataFiles.ReadJsonl(questionsPath, (e, i) =>
            (Goal: DataFiles.String(e, "goal"), Sol1: DataFiles.String(e, "sol1"), Sol2: DataFiles.String(e, "sol2")));
        if (labels.Count != questions.Count)
        {
            throw new DataException($"{labelsPath}: {labels.Count} labels for {questions.Count} questions in {questionsPath}.");
        }
        var items = new List<ChoiceItem>();
        for (int i = 0; i < questions.Count; i++)
        {
            if (!int.TryParse(labels[i].Trim(), out int label) || label is < 0 or > 1)
            {
                throw new DataException($"{labelsPath}:{i + 1}: label '{labels[i]}' is not 0 or 1.");
            }
            var q = questions[i];
            items.Add(ChoiceItem.SharedContext($"Question: {q.Goal}\nAnswer:", [q.Sol1, q.Sol2], label));
        }
        return items;
    }
}
