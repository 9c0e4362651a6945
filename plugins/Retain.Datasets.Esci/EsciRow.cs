namespace Retain.Datasets.Esci;

/// <summary>One query-product judgement chosen for a split, with its product information.</summary>
public sealed record EsciRow
{
    /// <summary><c>example_id</c>.</summary>
    public required string ExampleId { get; init; }
    /// <summary><c>query</c>.</summary>
    public required string Query { get; init; }
    /// <summary><c>query_id</c>, or empty.</summary>
    public required string QueryId { get; init; }
    /// <summary><c>product_id</c>.</summary>
    public required string ProductId { get; init; }
    /// <summary><c>product_locale</c>.</summary>
    public required string Locale { get; init; }
    /// <summary>The class name (Exact, Substitute, Complement, Irrelevant).</summary>
    public required string Label { get; init; }
    /// <summary>The rationale (CoT variant), or null.</summary>
    public string? Rationale { get; init; }
    /// <summary>How the query was collected (shopping_queries_dataset_sources.csv), or empty.</summary>
    public string QuerySource { get; init; } = "";
    /// <summary>Product information as shown in the prompt.</summary>
    public string ProductInfo { get; set; } = "";
    /// <summary>The examples file.</summary>
    public required string File { get; init; }
    /// <summary>The line the row starts on.</summary>
    public required int Line { get; init; }
}
