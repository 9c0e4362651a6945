using System.Diagnostics;
using Retain.Kernel.Backends;

namespace Retain.Kernel.Diagnostics;

/// <summary>
/// A backend decorator that times every op (llm.c / Llm.cs style per-op tables). Buffers belong to the inner backend.
/// Costs a timestamp pair per op; use it for profiling only.
/// </summary>
/// <param name="inner">The backend doing the work.</param>
/// <param name="clock">Timestamp source (default <see cref="Stopwatch.GetTimestamp"/>); e.g. a thread-CPU-time clock on a busy machine.</param>
/// <param name="ticksPerSecond">Ticks per second of <paramref name="clock"/>.</param>
public sealed class TimingBackend(IBackend inner, Func<long>? clock = null, long ticksPerSecond = 0) : IBackend
{
    private readonly IBackend _inner = inner;
    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private readonly double _frequency = clock is null ? Stopwatch.Frequency : ticksPerSecond;
    private readonly Dictionary<string, (long Ticks, long Calls)> _totals = new();

    /// <inheritdoc />
    public string Name => _inner.Name + " (timed)";

    /// <summary>Seconds and calls per op since the last <see cref="Reset"/>, slowest first.</summary>
    public IReadOnlyList<(string Op, double Seconds, long Calls)> Totals() =>
        _totals.Select(kv => (kv.Key, kv.Value.Ticks / _frequency, kv.Value.Calls)).OrderByDescending(x => x.Item2).ToArray();

    /// <summary>Clears the totals.</summary>
    public void Reset() => _totals.Clear();

    private void Record(string op, long start)
    {
        _inner.Synchronize();
        long ticks = _clock() - start;
        _totals[op] = _totals.TryGetValue(op, out var t) ? (t.Ticks + ticks, t.Calls + 1) : (ticks, 1);
    }

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(long length) => _inner.Allocate(length);

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(long length) => _inner.AllocateInt(length);

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, BufferView<float> destination)
    {
        long start = _clock();
        _inner.Upload(source, destination);
        Record("Upload", start);
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<int> source, BufferView<int> destination)
    {
        long start = _clock();
        _inner.Upload(source, destination);
        Record("Upload", start);
    }

    /// <inheritdoc />
    public void Download(BufferView<float> source, Span<float> destination)
    {
        long start = _clock();
        _inner.Download(source, destination);
        Record("Download", start);
    }

    /// <inheritdoc />
    public void Download(BufferView<int> source, Span<int> destination)
    {
        long start = _clock();
        _inner.Download(source, destination);
        Record("Download", start);
    }

    /// <inheritdoc />
    public void Copy(BufferView<float> source, BufferView<float> destination)
    {
        long start = _clock();
        _inner.Copy(source, destination);
        Record("Copy", start);
    }

    /// <inheritdoc />
    public void Fill(BufferView<float> destination, float value)
    {
        long start = _clock();
        _inner.Fill(destination, value);
        Record("Fill", start);
    }

    /// <inheritdoc />
    public void Add(BufferView<float> output, BufferView<float> a, BufferView<float> b)
    {
        long start = _clock();
        _inner.Add(output, a, b);
        Record("Add", start);
    }

    /// <inheritdoc />
    public void AddInPlace(BufferView<float> target, BufferView<float> source)
    {
        long start = _clock();
        _inner.AddInPlace(target, source);
        Record("AddInPlace", start);
    }

    /// <inheritdoc />
    public void Scale(BufferView<float> target, float factor)
    {
        long start = _clock();
        _inner.Scale(target, factor);
        Record("Scale", start);
    }

    /// <inheritdoc />
    public void AddScaledDifference(BufferView<float> target, BufferView<float> a, BufferView<float> b, float factor)
    {
        long start = _clock();
        _inner.AddScaledDifference(target, a, b, factor);
        Record("AddScaledDifference", start);
    }

    /// <inheritdoc />
    public double SumOfSquares(BufferView<float> x)
    {
        long start = _clock();
        var result = _inner.SumOfSquares(x);
        Record("SumOfSquares", start);
        return result;
    }

    /// <inheritdoc />
    public double SquaredDistance(BufferView<float> a, BufferView<float> b)
    {
        long start = _clock();
        var result = _inner.SquaredDistance(a, b);
        Record("SquaredDistance", start);
        return result;
    }

    /// <inheritdoc />
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferView<float> a, int lda, BufferView<float> b, int ldb, float beta, BufferView<float> c, int ldc)
    {
        long start = _clock();
        _inner.Gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        Record("Gemm", start);
    }

    /// <inheritdoc />
    public void EmbeddingForward(BufferView<float> output, BufferView<float> table, BufferView<int> ids, int rows, int dim, float scale)
    {
        long start = _clock();
        _inner.EmbeddingForward(output, table, ids, rows, dim, scale);
        Record("EmbeddingForward", start);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(BufferView<float> tableGrad, BufferView<float> outputGrad, BufferView<int> ids, int rows, int dim, float scale)
    {
        long start = _clock();
        _inner.EmbeddingBackward(tableGrad, outputGrad, ids, rows, dim, scale);
        Record("EmbeddingBackward", start);
    }

    /// <inheritdoc />
    public void RmsNormForward(BufferView<float> output, BufferView<float> rstd, BufferView<float> input, BufferView<float> weight, int rows, int dim, float eps, float weightOffset)
    {
        long start = _clock();
        _inner.RmsNormForward(output, rstd, input, weight, rows, dim, eps, weightOffset);
        Record("RmsNormForward", start);
    }

    /// <inheritdoc />
    public void RmsNormBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> outputGrad, BufferView<float> input, BufferView<float> weight, BufferView<float> rstd, int rows, int dim, float weightOffset, bool accumulate)
    {
        long start = _clock();
        _inner.RmsNormBackward(inputGrad, weightGrad, outputGrad, input, weight, rstd, rows, dim, weightOffset, accumulate);
        Record("RmsNormBackward", start);
    }

    /// <inheritdoc />
    public void LinearForward(BufferView<float> output, BufferView<float> input, BufferView<float> weight, BufferView<float> bias, int rows, int inFeatures, int outFeatures)
    {
        long start = _clock();
        _inner.LinearForward(output, input, weight, bias, rows, inFeatures, outFeatures);
        Record("LinearForward", start);
    }

    /// <inheritdoc />
    public void LinearBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> biasGrad, BufferView<float> outputGrad, BufferView<float> input, BufferView<float> weight, int rows, int inFeatures, int outFeatures, bool accumulateInput)
    {
        long start = _clock();
        _inner.LinearBackward(inputGrad, weightGrad, biasGrad, outputGrad, input, weight, rows, inFeatures, outFeatures, accumulateInput);
        Record("LinearBackward", start);
    }

    /// <inheritdoc />
    public void RopeForward(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim)
    {
        long start = _clock();
        _inner.RopeForward(x, cos, sin, positions, rows, heads, headDim);
        Record("RopeForward", start);
    }

    /// <inheritdoc />
    public void RopeBackward(BufferView<float> grad, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim)
    {
        long start = _clock();
        _inner.RopeBackward(grad, cos, sin, positions, rows, heads, headDim);
        Record("RopeBackward", start);
    }

    /// <inheritdoc />
    public void AttentionForward(BufferView<float> output, BufferView<float> saved, BufferView<float> q, BufferView<float> k, BufferView<float> v, BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities)
    {
        long start = _clock();
        _inner.AttentionForward(output, saved, q, k, v, keyStart, batchRows, rowLength, heads, kvHeads, headDim, scale, saveProbabilities);
        Record("AttentionForward", start);
    }

    /// <inheritdoc />
    public void AttentionBackward(BufferView<float> qGrad, BufferView<float> kGrad, BufferView<float> vGrad, BufferView<float> outputGrad, BufferView<float> q, BufferView<float> k, BufferView<float> v, BufferView<float> saved, BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities)
    {
        long start = _clock();
        _inner.AttentionBackward(qGrad, kGrad, vGrad, outputGrad, q, k, v, saved, keyStart, batchRows, rowLength, heads, kvHeads, headDim, scale, saveProbabilities);
        Record("AttentionBackward", start);
    }

    /// <inheritdoc />
    public void KvCacheWrite(BufferView<float> keyCache, BufferView<float> valueCache, BufferView<float> k, BufferView<float> v, BufferView<int> slots, BufferView<int> positions, int rows, int kvDim, int capacity)
    {
        long start = _clock();
        _inner.KvCacheWrite(keyCache, valueCache, k, v, slots, positions, rows, kvDim, capacity);
        Record("KvCacheWrite", start);
    }

    /// <inheritdoc />
    public void CachedAttentionForward(BufferView<float> output, BufferView<float> q, BufferView<float> keyCache, BufferView<float> valueCache, BufferView<int> slots, BufferView<int> positions, int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window)
    {
        long start = _clock();
        _inner.CachedAttentionForward(output, q, keyCache, valueCache, slots, positions, rows, capacity, heads, kvHeads, headDim, scale, window);
        Record("CachedAttentionForward", start);
    }

    /// <inheritdoc />
    public void GatedActivationForward(BufferView<float> output, BufferView<float> gate, BufferView<float> up, long count, Activation activation)
    {
        long start = _clock();
        _inner.GatedActivationForward(output, gate, up, count, activation);
        Record("GatedActivationForward", start);
    }

    /// <inheritdoc />
    public void GatedActivationBackward(BufferView<float> gateGrad, BufferView<float> upGrad, BufferView<float> outputGrad, BufferView<float> gate, BufferView<float> up, long count, Activation activation)
    {
        long start = _clock();
        _inner.GatedActivationBackward(gateGrad, upGrad, outputGrad, gate, up, count, activation);
        Record("GatedActivationBackward", start);
    }

    /// <inheritdoc />
    public void CrossEntropyForward(BufferView<float> nll, BufferView<float> logSumExp, BufferView<int> isArgmax, BufferView<float> logits, BufferView<int> targets, int rows, int vocab)
    {
        long start = _clock();
        _inner.CrossEntropyForward(nll, logSumExp, isArgmax, logits, targets, rows, vocab);
        Record("CrossEntropyForward", start);
    }

    /// <inheritdoc />
    public void CrossEntropyBackward(BufferView<float> logits, BufferView<float> logSumExp, BufferView<int> targets, BufferView<float> coefficients, int rows, int vocab)
    {
        long start = _clock();
        _inner.CrossEntropyBackward(logits, logSumExp, targets, coefficients, rows, vocab);
        Record("CrossEntropyBackward", start);
    }

    /// <inheritdoc />
    public void GatherRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim)
    {
        long start = _clock();
        _inner.GatherRows(output, input, indices, count, dim);
        Record("GatherRows", start);
    }

    /// <inheritdoc />
    public void ScatterAddRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim)
    {
        long start = _clock();
        _inner.ScatterAddRows(output, input, indices, count, dim);
        Record("ScatterAddRows", start);
    }

    /// <inheritdoc />
    public void DropoutForward(BufferView<float> output, BufferView<float> mask, BufferView<float> input, long count, float probability, ulong seed)
    {
        long start = _clock();
        _inner.DropoutForward(output, mask, input, count, probability, seed);
        Record("DropoutForward", start);
    }

    /// <inheritdoc />
    public void MultiplyAccumulate(BufferView<float> target, BufferView<float> a, BufferView<float> b)
    {
        long start = _clock();
        _inner.MultiplyAccumulate(target, a, b);
        Record("MultiplyAccumulate", start);
    }

    /// <inheritdoc />
    public void AdamWStep(BufferView<float> parameters, BufferView<float> gradients, BufferView<float> firstMoment, BufferView<float> secondMoment, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int step, float gradientScale = 1f)
    {
        long start = _clock();
        _inner.AdamWStep(parameters, gradients, firstMoment, secondMoment, learningRate, beta1, beta2, epsilon, weightDecay, step, gradientScale);
        Record("AdamWStep", start);
    }

    /// <inheritdoc />
    public void Synchronize() => _inner.Synchronize();
}
