using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>
/// ARC from llm-foundry's converted file (<c>query</c> = <c>"Question: " + question</c>, <c>choices</c>, <c>gold</c>):
/// lm-eval's context <c>"Question: {question}\nAnswer:"</c> is the query plus <c>"\nAnswer:"</c>.
/// </summary>
public static class ArcFormat
{
    /// <summary>Reads an llm-foundry ARC file.</summary>
    public static List<ChoiceItem> Load(string path) => DataFiles.ReadJsonl(path, (e, _) =>
    {
        string query = DataFiles.String(e, "query");
        if (!query.StartsWith("Question: ", StringComparison.Ordinal)) throw new DataFormatException("'query' does not start with \"Question: \"");
        var choices = DataFiles.Strings(e, "choices");
        return ChoiceItem.SharedContext(query + "\nAnswer:", choices, DataFiles.Int(e, "gold"));
    });
}

/// <summary>lm-eval <c>arc_easy</c> (test split, 2376 questions).</summary>
[RetainComponent("arc-easy", Description = "ARC-Easy 0-shot as lm-eval arc_easy: acc, acc_norm.", Options = typeof(ChoiceFileOptions))]
public sealed class ArcEasyBenchmark(ChoiceFileOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "arc-easy";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => true;
    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        ArcFormat.Load(context.Data.Resolve(PathOr(options.DataPath, "general_mc/arc/arc_easy.jsonl")));
}

/// <summary>lm-eval <c>arc_challenge</c> (test split, 1172 questions).</summary>
[RetainComponent("arc-challenge", Description = "ARC-Challenge 0-shot as lm-eval arc_challenge: acc, acc_norm.", Options = typeof(ChoiceFileOptions))]
public sealed class ArcChallengeBenchmark(ChoiceFileOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "arc-challenge";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => true;
    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        ArcFormat.Load(context.Data.Resolve(PathOr(options.DataPath, "general_mc/arc/arc_challenge.jsonl")));
}
