namespace Retain.Evaluation;

/// <summary>A general-capability benchmark (lm-eval compatible where it names an lm-eval task).</summary>
public interface IBenchmark
{
    /// <summary>Evaluates a model.</summary>
    BenchmarkResult Run(ILanguageModel model, BenchmarkContext context);

    /// <summary>
    /// Scores responses produced elsewhere, keyed by doc_id (the 0-based position in the evaluation file). Only
    /// generation benchmarks support it; others throw <see cref="NotSupportedException"/> with a message saying why.
    /// </summary>
    BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context);
}

/// <summary>A response produced elsewhere.</summary>
public sealed record ResponseRecord(int DocId, string Response);

/// <summary>What a benchmark may use while running.</summary>
public sealed class BenchmarkContext
{
    /// <summary>Resolves the benchmark's data files.</summary>
    public required Data.IDataLocator Data { get; init; }

    /// <summary>Evaluate at most this many items (seeded subsample when <see cref="Seed"/> is set), or all.</summary>
    public int? Limit { get; init; }

    /// <summary>Seed for subsampling and sampling.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The initial ("Init") model, for benchmarks defined relative to it; null when evaluating it.</summary>
    public ILanguageModel? ReferenceModel { get; init; }

    /// <summary>Where per-item records go; the host writes them as JSONL.</summary>
    public IItemRecorder Records { get; init; } = NullItemRecorder.Instance;

    /// <summary>A directory for caches (e.g. samples of the reference model).</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Progress: items done out of total.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }

    /// <summary>Cancellation.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Named metrics of one benchmark run.</summary>
/// <param name="Benchmark">The benchmark's name.</param>
/// <param name="Metrics">The metrics; the first is the headline one.</param>
public sealed record BenchmarkResult(string Benchmark, IReadOnlyList<MetricValue> Metrics)
{
    /// <summary>The headline metric.</summary>
    public MetricValue Primary => Metrics[0];

    /// <summary>
    /// What a reader must know to trust the numbers, shown with them: e.g. "scored 100 of 164 items" when responses
    /// cover part of the benchmark, or why every item failed.
    /// </summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>A metric with its standard error.</summary>
/// <param name="Name">lm-eval style key, e.g. <c>exact_match,strict-match</c> or <c>acc_norm</c>.</param>
/// <param name="Value">The value.</param>
/// <param name="StdErr">Standard error of the mean (sample std / √n), or NaN.</param>
/// <param name="Count">Items it is computed over.</param>
public sealed record MetricValue(string Name, double Value, double StdErr, int Count);

/// <summary>One evaluated item, for the records file.</summary>
public sealed record ItemRecord(int DocId, string Prompt, string Response, string? Extracted, bool Correct)
{
    /// <summary>Benchmark-specific details (per-instruction verdicts, choice log-likelihoods, ...).</summary>
    public IReadOnlyDictionary<string, object?> Details { get; init; } = new Dictionary<string, object?>();
}

/// <summary>Receives per-item records.</summary>
public interface IItemRecorder
{
    /// <summary>Records one item.</summary>
    void Add(ItemRecord record);
}

/// <summary>Drops records.</summary>
public sealed class NullItemRecorder : IItemRecorder
{
    /// <summary>The shared instance.</summary>
    public static readonly NullItemRecorder Instance = new();

    /// <inheritdoc />
    public void Add(ItemRecord record) { }
}
