using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>
/// lm-eval <c>winogrande</c> (winogrande_xl validation, 1267) with partial scoring: two requests with different
/// contexts (the sentence up to the blank with each option filled in) and the same continuation (<c>" "</c> + the
/// rest of the sentence); the option whose context makes the rest likelier wins. acc only. llm-foundry's
/// <c>context_options</c> and <c>continuation</c> are exactly these pieces.
/// </summary>
[RetainComponent("winogrande", Description = "Winogrande 0-shot as lm-eval (partial scoring): acc.", Options = typeof(ChoiceFileOptions))]
public sealed class WinograndeBenchmark(ChoiceFileOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "winogrande";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => false;

    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        Read(context.Data.Resolve(PathOr(options.DataPath, "general_mc/winogrande/winogrande.jsonl")));

    /// <summary>Reads an llm-foundry Winogrande file.</summary>
    public static List<ChoiceItem> Read(string path) => DataFiles.ReadJsonl(path, (e, _) =>
    {
        var contexts = DataFiles.Strings(e, "context_options");
        if (contexts.Count != 2) throw new DataFormatException("'context_options' must hold two strings");
        string continuation = " " + PythonText.Strip(DataFiles.String(e, "continuation"));
        return new ChoiceItem(contexts.Select(c => new LoglikelihoodRequest(c, continuation)).ToList(), contexts,
            ChoiceItem.NormalizeGold(DataFiles.Int(e, "gold"), 2));
    });
}
