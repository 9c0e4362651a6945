using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Plugins;

namespace Retain.Datasets.Esci;

/// <summary>
/// ESCI query-product relevance (the paper's appendix C.1.2): TrainSize + ValidationSize rows sampled from the train
/// split (the best-ranked ValidationSize of them held out for validation) and TestSize from the test split, as
/// <see cref="EsciReader"/> documents; the paper's prompts; label-only or CoT targets; balanced accuracy.
/// </summary>
[RetainComponent("esci", Description = "ESCI (Amazon Shopping Queries) Exact/Substitute/Complement/Irrelevant classification; balanced accuracy.", Options = typeof(EsciOptions))]
public sealed class EsciDataset(EsciOptions options) : IDataset
{
    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        string examplesPath = context.Data.Resolve(options.ExamplesPath);
        string? productsPath = options.ProductsPath is { Length: > 0 } p ? context.Data.Resolve(p) : null;
        string? sourcesPath = SourcesPath(context, report);
        var sample = EsciReader.Read(examplesPath, productsPath, sourcesPath, options, options.Seed ?? context.Seed, issues, report);
        return new DatasetSplits
        {
            Train = sample.Train.Select(ToExample).ToList(),
            Validation = sample.Validation.Select(ToExample).ToList(),
            Test = sample.Test.Select(ToExample).ToList(),
            Report = report,
        };
    }

    /// <summary>The sources file: the configured one (which must exist), or none when the default is absent.</summary>
    private string? SourcesPath(DatasetLoadContext context, DataReport report)
    {
        if (options.SourcesPath is not { Length: > 0 } path) return null;
        if (path != EsciOptions.DefaultSourcesPath) return context.Data.Resolve(path);
        var found = context.Data.TryResolve(path);
        if (found is null) report.Notes.Add($"no {path}: examples carry no query_source.");
        return found;
    }

    /// <inheritdoc />
    public IDomainEvaluator CreateEvaluator(DatasetLoadContext context) =>
        new EsciEvaluator(options.MaxNewTokens ?? (options.Variant == EsciVariant.LabelOnly ? 16 : 1024));

    private Example ToExample(EsciRow row)
    {
        string prefix = EsciPrompts.Prefix(options.Variant);
        string continuation = EsciPrompts.Continuation(options.Variant, row.Label, row.Rationale);
        return new Example
        {
            Id = row.ExampleId,
            Prompt = EsciPrompts.Prompt(options.Variant, row.Query, row.ProductInfo),
            ResponsePrefix = options.Prefill ? prefix : "",
            Target = options.Prefill ? continuation : prefix + continuation,
            Reference = row.Label,
            Source = $"{Path.GetFileName(row.File)}:{row.Line}",
            Metadata = new Dictionary<string, string>
            {
                ["query_id"] = row.QueryId,
                ["product_id"] = row.ProductId,
                ["product_locale"] = row.Locale,
                ["query_source"] = row.QuerySource,
                [EsciEvaluator.LabelKey] = row.Label,
            },
        };
    }
}
