using System.ComponentModel;
using Retain.Evaluation;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>Options of a multiple-choice benchmark read from one file.</summary>
public sealed class ChoiceFileOptions
{
    /// <summary>The evaluation file; empty selects the benchmark's default.</summary>
    [Description("Evaluation file relative to the data roots; empty for the benchmark's default (e.g. general_mc/arc/arc_easy.jsonl).")]
    public string DataPath { get; set; } = "";
}

/// <summary>
/// A log-likelihood multiple-choice benchmark: loads its documents as <see cref="ChoiceItem"/>s and scores them with
/// <see cref="ChoiceScoring"/>. Responses produced elsewhere cannot be scored: there are none, only likelihoods.
/// </summary>
public abstract class ChoiceBenchmark : IBenchmark
{
    /// <summary>The component name.</summary>
    protected abstract string Name { get; }

    /// <summary>Whether lm-eval reports <c>acc_norm</c> for the task.</summary>
    protected abstract bool ReportsAccNorm { get; }

    /// <summary>Reads the evaluation documents in file order (doc_id = position).</summary>
    public abstract IReadOnlyList<ChoiceItem> Load(BenchmarkContext context);

    /// <inheritdoc />
    public virtual BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        var items = Load(context);
        var ids = DocSelection.Select(items.Count, context);
        return ChoiceScoring.Evaluate(Name, model, ids.Select(i => items[i]).ToList(), ids, context, ReportsAccNorm).Result;
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context) =>
        throw new NotSupportedException($"{Name} is scored by comparing the log-likelihoods of its choices, so it needs the model itself; responses produced elsewhere cannot be scored. Run it with --model.");

    /// <summary><paramref name="configured"/>, or <paramref name="fallback"/> when it is empty.</summary>
    protected static string PathOr(string configured, string fallback) => string.IsNullOrWhiteSpace(configured) ? fallback : configured;
}
