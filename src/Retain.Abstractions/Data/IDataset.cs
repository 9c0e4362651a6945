namespace Retain.Data;

/// <summary>
/// A domain dataset: loads its splits from the files its options name and creates the evaluator that grades
/// generated responses. Created per use with its bound options.
/// </summary>
public interface IDataset
{
    /// <summary>Reads the data. Bad rows are reported in <see cref="DatasetSplits.Report"/> or fail the load, as the options say.</summary>
    DatasetSplits Load(DatasetLoadContext context);

    /// <summary>The domain evaluator for this dataset's examples.</summary>
    IDomainEvaluator CreateEvaluator(DatasetLoadContext context);
}

/// <summary>What a dataset may use while loading.</summary>
public sealed class DatasetLoadContext
{
    /// <summary>Resolves data paths against the configured data roots.</summary>
    public required IDataLocator Data { get; init; }

    /// <summary>Seed for documented seeded splits and subsampling.</summary>
    public int Seed { get; init; }

    /// <summary>Answer extractors by name, for datasets whose options name one.</summary>
    public Func<string, IAnswerExtractor>? AnswerExtractors { get; init; }
}

/// <summary>Resolves a data path. Relative paths are tried against each data root in order.</summary>
public interface IDataLocator
{
    /// <summary>The full path of an existing file or directory; throws <see cref="DataException"/> naming every path tried.</summary>
    string Resolve(string path);

    /// <summary>Like <see cref="Resolve"/>, but returns null when nothing exists.</summary>
    string? TryResolve(string path);
}

/// <summary>The splits of a dataset and what happened while reading it.</summary>
public sealed class DatasetSplits
{
    /// <summary>Training examples.</summary>
    public required IReadOnlyList<Example> Train { get; init; }

    /// <summary>Validation examples (used for checkpoint selection).</summary>
    public required IReadOnlyList<Example> Validation { get; init; }

    /// <summary>Test examples (the domain score reported).</summary>
    public required IReadOnlyList<Example> Test { get; init; }

    /// <summary>Counts and rejected rows.</summary>
    public required DataReport Report { get; init; }
}

/// <summary>What reading produced: rows read and rejected, with reasons. Nothing is dropped without a line here.</summary>
public sealed class DataReport
{
    private readonly List<RejectedRow> _rejected = [];

    /// <summary>Rows read from the files (before rejection).</summary>
    public int RowsRead { get; set; }

    /// <summary>Rows rejected, with file, line and reason.</summary>
    public IReadOnlyList<RejectedRow> Rejected => _rejected;

    /// <summary>Free-form notes (e.g. how a split was made).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Records a rejected row.</summary>
    public void Reject(string file, int line, string reason) => _rejected.Add(new RejectedRow(file, line, reason));
}

/// <summary>A row that was not used.</summary>
public sealed record RejectedRow(string File, int Line, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Reason}";
}

/// <summary>What datasets do with malformed rows.</summary>
public enum BadRowPolicy
{
    /// <summary>Stop with an error naming the file and line.</summary>
    Fail,
    /// <summary>Skip the row, count it and report it.</summary>
    Skip,
}

/// <summary>Bad input data: the message names the file and line or key.</summary>
public sealed class DataException(string message, Exception? inner = null) : Exception(message, inner);
