using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Retain.Data;

namespace Retain.Datasets.Esci;

/// <summary>Which target the ESCI examples carry.</summary>
public enum EsciVariant
{
    /// <summary>The label only (the paper's "w/o CoT"): <c>&lt;answer&gt;N&lt;/answer&gt;</c>.</summary>
    LabelOnly,
    /// <summary>A rationale, then the label (the paper's "w/ CoT"): <c>&lt;think&gt; … &lt;/think&gt;&lt;answer&gt;N&lt;/answer&gt;</c>.</summary>
    Cot,
}

/// <summary>Which rows of the Shopping Queries data to draw from.</summary>
public enum EsciVersion
{
    /// <summary>Rows with <c>small_version = 1</c> (the reduced set of Task 1).</summary>
    Small,
    /// <summary>Rows with <c>large_version = 1</c> (every row).</summary>
    Large,
}

/// <summary>Options of the <c>esci</c> dataset.</summary>
public sealed class EsciOptions
{
    /// <summary>The default <see cref="SourcesPath"/>, used only when it exists.</summary>
    public const string DefaultSourcesPath = "esci/shopping_queries_dataset_sources.csv";

    /// <summary>Examples file.</summary>
    [Description("Shopping Queries examples (example_id, query, query_id, product_id, product_locale, esci_label, small_version, large_version, split): the published shopping_queries_dataset_examples.parquet, a CSV/JSONL export, or a folder of shards; may already carry the product columns.")]
    [Required(AllowEmptyStrings = false)]
    public string ExamplesPath { get; set; } = "esci/shopping_queries_dataset_examples.parquet";

    /// <summary>Products file.</summary>
    [Description("Shopping Queries products (shopping_queries_dataset_products.parquet, a CSV/JSONL export or shards), left-joined on (product_locale, product_id) as the dataset's README does; unset when ExamplesPath already has the product columns.")]
    public string? ProductsPath { get; set; } = "esci/shopping_queries_dataset_products.parquet";

    /// <summary>Query sources file.</summary>
    [Description("shopping_queries_dataset_sources.csv (query_id, source): each example's query_source metadata. The default is used when it exists; a path you set must exist; empty: none.")]
    public string? SourcesPath { get; set; } = DefaultSourcesPath;

    /// <summary>Version filter.</summary>
    [Description("Small (small_version = 1) or Large (large_version = 1, every row). The paper does not say; Large is the default.")]
    public EsciVersion Version { get; set; } = EsciVersion.Large;

    /// <summary>Locales to keep.</summary>
    [Description("product_locale values to keep (us, es, jp); empty keeps all. The paper's prompt is English: us by default.")]
    public List<string> Locales { get; set; } = ["us"];

    /// <summary>Training rows.</summary>
    [Description("Training rows sampled from split = train (the paper: 49,000).")]
    [Range(0, int.MaxValue)]
    public int TrainSize { get; set; } = 49_000;

    /// <summary>Validation rows.</summary>
    [Description("Validation rows, held out of the same train-split sample (the paper: 1,000).")]
    [Range(0, int.MaxValue)]
    public int ValidationSize { get; set; } = 1_000;

    /// <summary>Test rows.</summary>
    [Description("Test rows sampled from split = test (the paper: 10,000).")]
    [Range(0, int.MaxValue)]
    public int TestSize { get; set; } = 10_000;

    /// <summary>Sampling seed.</summary>
    [Description("Seed of the sampling; unset uses the run's seed.")]
    public int? Seed { get; set; }

    /// <summary>Target variant.</summary>
    [Description("LabelOnly (the paper's w/o CoT) or Cot (w/ CoT: needs a rationale column for training rows).")]
    public EsciVariant Variant { get; set; } = EsciVariant.LabelOnly;

    /// <summary>Rationale column for the CoT variant.</summary>
    [Description("Column holding the chain-of-thought rationale (CoT variant); rows lacking one are rejected from training.")]
    [Required(AllowEmptyStrings = false)]
    public string RationaleField { get; set; } = "rationale";

    /// <summary>Product fields shown in the prompt.</summary>
    [Description("Product columns shown as product information, in order (product_title, product_brand, product_color, product_bullet_point, product_description); empty values are left out.")]
    public List<string> ProductFields { get; set; } = ["product_title", "product_brand", "product_color", "product_bullet_point", "product_description"];

    /// <summary>Whether to prefill the assistant turn as the paper does.</summary>
    [Description("Prefill the assistant turn as the paper does (<answer> for LabelOnly, <think> for Cot); false puts that text at the start of the target instead.")]
    public bool Prefill { get; set; } = true;

    /// <summary>Bad-row policy.</summary>
    [Description("Rows that cannot be used (malformed, unknown label or split, empty query, missing product, missing rationale): Fail stops with file:line, Skip skips and reports them.")]
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;

    /// <summary>Generation budget.</summary>
    [Description("Token budget for generating an answer; unset: 16 for LabelOnly, 1024 for Cot.")]
    [Range(1, 1_000_000)]
    public int? MaxNewTokens { get; set; }
}

/// <summary>Checks <see cref="EsciOptions"/> rules beyond single values.</summary>
public sealed class EsciOptionsValidator : IValidateOptions<EsciOptions>
{
    private static readonly HashSet<string> KnownProductFields =
        ["product_title", "product_description", "product_bullet_point", "product_brand", "product_color"];

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EsciOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ExamplesPath)) failures.Add("examplesPath: set the Shopping Queries examples (shopping_queries_dataset_examples.parquet, or a CSV/JSONL export).");
        if (options.ProductFields.Count == 0) failures.Add("productFields: name at least one product column (e.g. product_title).");
        foreach (var field in options.ProductFields.Where(f => !KnownProductFields.Contains(f)))
        {
            failures.Add($"productFields: '{field}' is not a Shopping Queries product column ({string.Join(", ", KnownProductFields)}).");
        }
        if (options.TrainSize + options.ValidationSize + options.TestSize == 0) failures.Add("trainSize, validationSize and testSize are all 0: nothing to load.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
