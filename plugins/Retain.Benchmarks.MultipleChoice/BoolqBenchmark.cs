using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>
/// lm-eval <c>boolq</c> (SuperGLUE validation, 3270): context <c>"{passage}\nQuestion: {question}?\nAnswer:"</c>, choices
/// <c>no</c>/<c>yes</c>, acc only. llm-foundry's query is <c>"Passage: {passage}\nQuestion: {question}?"</c>, so the
/// context is the query without its <c>"Passage: "</c> prefix, plus <c>"\nAnswer:"</c>.
/// </summary>
[RetainComponent("boolq", Description = "BoolQ 0-shot as lm-eval boolq: acc.", Options = typeof(ChoiceFileOptions))]
public sealed class BoolqBenchmark(ChoiceFileOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "boolq";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => false;

    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        Read(context.Data.Resolve(PathOr(options.DataPath, "general_mc/boolq/boolq.jsonl")));

    /// <summary>Reads an llm-foundry BoolQ file.</summary>
    public static List<ChoiceItem> Read(string path) => DataFiles.ReadJsonl(path, (e, _) =>
    {
        const string prefix = "Passage: ";
        string query = DataFiles.String(e, "query");
        if (!query.StartsWith(prefix, StringComparison.Ordinal)) throw new DataFormatException("'query' does not start with \"Passage: \"");
        var choices = DataFiles.Strings(e, "choices");
        if (choices.Count != 2 || choices[0] != "no" || choices[1] != "yes") throw new DataFormatException("'choices' must be [\"no\", \"yes\"]");
        return ChoiceItem.SharedContext(query[prefix.Length..] + "\nAnswer:", choices, DataFiles.Int(e, "gold"));
    });
}
