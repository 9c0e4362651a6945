using Retain.Training;

namespace Retain.Strategies.Tests;

/// <summary>Builds token batches from per-sequence NLL lists.</summary>
internal static class Batches
{
    public static TokenBatch Of(float normalizer, params float[][] sequences) => Of(normalizer, null, sequences);

    public static TokenBatch Of(float normalizer, float[][]? reference, float[][] sequences, int[]? examples = null)
    {
        var batch = new TokenBatch { Normalizer = normalizer, SequenceCount = sequences.Length, HasReference = reference is not null };
        var buffers = batch.Prepare(sequences.Sum(s => s.Length));
        int i = 0;
        for (int s = 0; s < sequences.Length; s++)
        {
            for (int t = 0; t < sequences[s].Length; t++, i++)
            {
                buffers.Nll[i] = sequences[s][t];
                buffers.Sequence[i] = s;
                buffers.Position[i] = t;
                buffers.Example[i] = examples?[s] ?? s;
                if (reference is not null) buffers.ReferenceNll[i] = reference[s][t];
            }
        }
        return batch;
    }

    public static (float[] Loss, float[] Coefficient, RecordingSink Metrics) Run(ITokenObjective objective, TokenBatch batch)
    {
        var loss = new float[batch.Count];
        var coefficient = new float[batch.Count];
        var metrics = new RecordingSink();
        objective.Accumulate(batch, loss, coefficient, metrics);
        return (loss, coefficient, metrics);
    }
}

/// <summary>Keeps the last value of each metric.</summary>
internal sealed class RecordingSink : IMetricSink
{
    public Dictionary<string, double> Values { get; } = [];

    public void Record(string name, double value) => Values[name] = value;
}

/// <summary>Parameters held in plain arrays.</summary>
internal sealed class ArrayParameterSpace(float[][] values, float[][] initial) : IParameterSpace
{
    public float[][] Gradients { get; } = values.Select(v => new float[v.Length]).ToArray();

    public IReadOnlyList<ParameterInfo> Trainable { get; } = values.Select((v, i) => new ParameterInfo($"p{i}", [v.Length])).ToList();

    public long TrainableElementCount => values.Sum(v => (long)v.Length);

    public double SquaredDistanceToInitial(int parameter) => values[parameter].Zip(initial[parameter], (a, b) => (double)(a - b) * (a - b)).Sum();

    public void AddDistanceToInitialGradient(int parameter, float scale)
    {
        for (int i = 0; i < values[parameter].Length; i++) Gradients[parameter][i] += scale * (values[parameter][i] - initial[parameter][i]);
    }

    public void ReadValues(int parameter, Span<float> destination) => values[parameter].CopyTo(destination);

    public void ReadInitialValues(int parameter, Span<float> destination) => initial[parameter].CopyTo(destination);

    public void AddToGradient(int parameter, ReadOnlySpan<float> delta)
    {
        for (int i = 0; i < delta.Length; i++) Gradients[parameter][i] += delta[i];
    }
}
