using Retain.Kernel.Training;

namespace Retain.Hosting.Runs;

/// <summary>
/// Which examples each optimizer step trains on: every epoch visits the training set in a seeded order; a step is
/// <c>gradientAccumulation</c> micro-batches of <c>batchSize</c> sequences (padded) or of <c>batchSize</c> rows of
/// packed sequences. Deterministic in (seed, epoch), so a resumed run replays exactly the same batches.
/// </summary>
public sealed class TrainingSchedule
{
    private readonly IReadOnlyList<TrainingSequence> _sequences;
    private readonly int _batchSize, _accumulation, _seed, _rowLength, _padId;
    private readonly bool _packing;
    private readonly List<int> _stepsBefore = [0];
    private int _cachedEpoch = -1;
    private List<int[]> _microBatches = [];

    /// <summary>Plans <paramref name="epochs"/> epochs, capped at <paramref name="maxSteps"/>.</summary>
    public TrainingSchedule(IReadOnlyList<TrainingSequence> sequences, int epochs, int? maxSteps, int batchSize, int accumulation, bool packing, int rowLength, int seed, int padId)
    {
        _sequences = sequences;
        _batchSize = batchSize;
        _accumulation = accumulation;
        _packing = packing;
        _rowLength = rowLength;
        _seed = seed;
        _padId = padId;
        for (int e = 0; e < epochs; e++)
        {
            int microBatches = MicroBatchesOf(e).Count;
            _stepsBefore.Add(_stepsBefore[^1] + (microBatches + accumulation - 1) / accumulation);
        }
        TotalSteps = maxSteps is int cap ? Math.Min(cap, _stepsBefore[^1]) : _stepsBefore[^1];
    }

    /// <summary>Optimizer steps of the run.</summary>
    public int TotalSteps { get; }

    /// <summary>The epoch of a (0-based) step.</summary>
    public int EpochOf(int step)
    {
        for (int e = 1; e < _stepsBefore.Count; e++)
        {
            if (step < _stepsBefore[e]) return e - 1;
        }
        return _stepsBefore.Count - 2;
    }

    /// <summary>The micro-batches of a (0-based) step, and the tokens they hold.</summary>
    public (IReadOnlyList<TrainingBatch> Batches, long Tokens) Step(int step)
    {
        int epoch = EpochOf(step);
        if (epoch != _cachedEpoch)
        {
            _microBatches = MicroBatchesOf(epoch);
            _cachedEpoch = epoch;
        }
        int first = (step - _stepsBefore[epoch]) * _accumulation;
        var batches = new List<TrainingBatch>(_accumulation);
        long tokens = 0;
        for (int k = first; k < Math.Min(first + _accumulation, _microBatches.Count); k++)
        {
            var sequences = _microBatches[k].Select(i => _sequences[i]).ToList();
            tokens += sequences.Sum(s => (long)s.Length);
            batches.Add(_packing ? BatchBuilder.Pack(sequences, _rowLength, _batchSize, _padId).Single() : BatchBuilder.Pad(sequences, _padId));
        }
        return (batches, tokens);
    }

    /// <summary>Sequence indexes per micro-batch in an epoch.</summary>
    private List<int[]> MicroBatchesOf(int epoch)
    {
        var order = DataOrder.Epoch(_sequences.Count, _seed, epoch);
        var result = new List<int[]>();
        if (!_packing)
        {
            for (int start = 0; start < order.Length; start += _batchSize) result.Add(order[start..Math.Min(start + _batchSize, order.Length)]);
            return result;
        }
        // Greedy packing in order, as BatchBuilder.Pack does: a sequence opens a new row when it does not fit.
        var current = new List<int>();
        int rows = 0, used = 0;
        foreach (var index in order)
        {
            int length = _sequences[index].Length;
            if (used > 0 && used + length > _rowLength)
            {
                rows++;
                used = 0;
                if (rows == _batchSize)
                {
                    result.Add([.. current]);
                    current.Clear();
                    rows = 0;
                }
            }
            current.Add(index);
            used += length;
        }
        if (current.Count > 0) result.Add([.. current]);
        return result;
    }
}
