using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Training;

/// <summary>
/// <see cref="IPretrainingContext"/> over the frozen initial model and the tokenized training split: scores every
/// supervised token of every example (packed batches, forward only) and exposes the model and data hashes that key
/// a pass's cache.
/// </summary>
public sealed class PretrainingContext : IPretrainingContext
{
    private readonly TransformerModel _model;
    private readonly IReadOnlyList<TrainingSequence> _sequences;
    private readonly int _rowLength;
    private readonly int _rows;
    private readonly Lazy<string> _dataHash;

    /// <param name="initialModel">The model before any training step.</param>
    /// <param name="trainingSet">One sequence per training example.</param>
    /// <param name="modelHash">Hash of the initial weights and tokenizer (e.g. <see cref="ContentHash.OfModelDirectory"/>).</param>
    /// <param name="cacheDirectory">Cache directory shared by the runs of a sweep.</param>
    /// <param name="metrics">Where step-0 metrics go.</param>
    /// <param name="rowLength">Packed row length; 0 = the longest sequence.</param>
    /// <param name="rowsPerBatch">Rows per forward.</param>
    public PretrainingContext(TransformerModel initialModel, IReadOnlyList<TrainingSequence> trainingSet, string modelHash, string cacheDirectory,
        IMetricSink? metrics = null, int rowLength = 0, int rowsPerBatch = 8)
    {
        _model = initialModel;
        _sequences = trainingSet;
        ModelHash = modelHash;
        CacheDirectory = cacheDirectory;
        Metrics = metrics ?? NullMetricSink.Instance;
        _rowLength = rowLength > 0 ? rowLength : Math.Max(2, trainingSet.Count == 0 ? 2 : trainingSet.Max(s => s.Length));
        _rows = Math.Max(1, rowsPerBatch);
        ExampleCount = trainingSet.Count == 0 ? 0 : trainingSet.Max(s => s.ExampleIndex) + 1;
        _dataHash = new Lazy<string>(() => ContentHash.OfSequences(trainingSet));
    }

    /// <inheritdoc />
    public int ExampleCount { get; }

    /// <inheritdoc />
    public string ModelHash { get; }

    /// <inheritdoc />
    public string DataHash => _dataHash.Value;

    /// <inheritdoc />
    public string CacheDirectory { get; }

    /// <inheritdoc />
    public IMetricSink Metrics { get; }

    /// <inheritdoc />
    public IReadOnlyList<float[]> ScoreTrainingSet(IProgress<double>? progress = null)
    {
        var result = new float[ExampleCount][];
        for (int i = 0; i < result.Length; i++) result[i] = [];
        var batches = BatchBuilder.Pack(_sequences, _rowLength, _rows);
        var perExample = new Dictionary<int, List<float>>();
        int done = 0;
        foreach (var batch in batches)
        {
            _model.Forward(batch.Inputs, training: false);
            var nll = new float[batch.ScoredCount];
            _model.ReadNll(nll);
            for (int i = 0; i < nll.Length; i++)
            {
                int example = batch.TokenExample[i];
                if (!perExample.TryGetValue(example, out var list)) perExample[example] = list = [];
                list.Add(nll[i]);
            }
            done++;
            progress?.Report((double)done / batches.Count);
        }
        foreach (var (example, list) in perExample) result[example] = list.ToArray();
        return result;
    }
}
