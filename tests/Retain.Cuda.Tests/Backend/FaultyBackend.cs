using Retain.Kernel.Backends;

namespace Retain.Cuda.Tests.Backend;

/// <summary>A CPU backend with switchable faults, to show the comparison harness catches them.</summary>
internal sealed class FaultyBackend(IBackend inner) : IBackend
{
    /// <summary>GatedActivationForward leaves its last element unwritten.</summary>
    public bool SkipLastActivation { get; init; }

    /// <summary>Gemm multiplies alpha by (1 + this).</summary>
    public float GemmAlphaError { get; init; }

    /// <summary>AdamWStep throws.</summary>
    public bool ThrowInAdamW { get; init; }

    public string Name => "faulty " + inner.Name;
    public void Dispose() { }
    public DeviceBuffer<float> Allocate(long length) => inner.Allocate(length);
    public DeviceBuffer<int> AllocateInt(long length) => inner.AllocateInt(length);
    public void Upload(ReadOnlySpan<float> source, BufferView<float> destination) => inner.Upload(source, destination);
    public void Upload(ReadOnlySpan<int> source, BufferView<int> destination) => inner.Upload(source, destination);
    public void Download(BufferView<float> source, Span<float> destination) => inner.Download(source, destination);
    public void Download(BufferView<int> source, Span<int> destination) => inner.Download(source, destination);
    public void Copy(BufferView<float> source, BufferView<float> destination) => inner.Copy(source, destination);
    public void Fill(BufferView<float> destination, float value) => inner.Fill(destination, value);
    public void Add(BufferView<float> output, BufferView<float> a, BufferView<float> b) => inner.Add(output, a, b);
    public void AddInPlace(BufferView<float> target, BufferView<float> source) => inner.AddInPlace(target, source);
    public void Scale(BufferView<float> target, float factor) => inner.Scale(target, factor);
    public void AddScaledDifference(BufferView<float> target, BufferView<float> a, BufferView<float> b, float factor) => inner.AddScaledDifference(target, a, b, factor);
    public double SumOfSquares(BufferView<float> x) => inner.SumOfSquares(x);
    public double SquaredDistance(BufferView<float> a, BufferView<float> b) => inner.SquaredDistance(a, b);

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferView<float> a, int lda, BufferView<float> b, int ldb,
        float beta, BufferView<float> c, int ldc) =>
        inner.Gemm(transposeA, transposeB, m, n, k, alpha * (1 + GemmAlphaError), a, lda, b, ldb, beta, c, ldc);

    public void EmbeddingForward(BufferView<float> output, BufferView<float> table, BufferView<int> ids, int rows, int dim, float scale) =>
        inner.EmbeddingForward(output, table, ids, rows, dim, scale);
    public void EmbeddingBackward(BufferView<float> tableGrad, BufferView<float> outputGrad, BufferView<int> ids, int rows, int dim, float scale) =>
        inner.EmbeddingBackward(tableGrad, outputGrad, ids, rows, dim, scale);
    public void RmsNormForward(BufferView<float> output, BufferView<float> rstd, BufferView<float> input, BufferView<float> weight, int rows, int dim, float eps, float weightOffset) =>
        inner.RmsNormForward(output, rstd, input, weight, rows, dim, eps, weightOffset);
    public void RmsNormBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> outputGrad, BufferView<float> input, BufferView<float> weight,
        BufferView<float> rstd, int rows, int dim, float weightOffset, bool accumulate) =>
        inner.RmsNormBackward(inputGrad, weightGrad, outputGrad, input, weight, rstd, rows, dim, weightOffset, accumulate);
    public void LinearForward(BufferView<float> output, BufferView<float> input, BufferView<float> weight, BufferView<float> bias, int rows, int inFeatures, int outFeatures) =>
        inner.LinearForward(output, input, weight, bias, rows, inFeatures, outFeatures);
    public void LinearBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> biasGrad, BufferView<float> outputGrad, BufferView<float> input,
        BufferView<float> weight, int rows, int inFeatures, int outFeatures, bool accumulateInput) =>
        inner.LinearBackward(inputGrad, weightGrad, biasGrad, outputGrad, input, weight, rows, inFeatures, outFeatures, accumulateInput);
    public void RopeForward(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        inner.RopeForward(x, cos, sin, positions, rows, heads, headDim);
    public void RopeBackward(BufferView<float> grad, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        inner.RopeBackward(grad, cos, sin, positions, rows, heads, headDim);
    public void AttentionForward(BufferView<float> output, BufferView<float> saved, BufferView<float> q, BufferView<float> k, BufferView<float> v,
        BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities) =>
        inner.AttentionForward(output, saved, q, k, v, keyStart, batchRows, rowLength, heads, kvHeads, headDim, scale, saveProbabilities);
    public void AttentionBackward(BufferView<float> qGrad, BufferView<float> kGrad, BufferView<float> vGrad, BufferView<float> outputGrad, BufferView<float> q,
        BufferView<float> k, BufferView<float> v, BufferView<float> saved, BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads,
        int headDim, float scale, bool saveProbabilities) =>
        inner.AttentionBackward(qGrad, kGrad, vGrad, outputGrad, q, k, v, saved, keyStart, batchRows, rowLength, heads, kvHeads, headDim, scale, saveProbabilities);
    public void KvCacheWrite(BufferView<float> keyCache, BufferView<float> valueCache, BufferView<float> k, BufferView<float> v, BufferView<int> slots,
        BufferView<int> positions, int rows, int kvDim, int capacity) =>
        inner.KvCacheWrite(keyCache, valueCache, k, v, slots, positions, rows, kvDim, capacity);
    public void CachedAttentionForward(BufferView<float> output, BufferView<float> q, BufferView<float> keyCache, BufferView<float> valueCache, BufferView<int> slots,
        BufferView<int> positions, int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window) =>
        inner.CachedAttentionForward(output, q, keyCache, valueCache, slots, positions, rows, capacity, heads, kvHeads, headDim, scale, window);

    public void GatedActivationForward(BufferView<float> output, BufferView<float> gate, BufferView<float> up, long count, Activation activation) =>
        inner.GatedActivationForward(SkipLastActivation ? output.Take(count - 1) : output, gate, up, SkipLastActivation ? count - 1 : count, activation);

    public void GatedActivationBackward(BufferView<float> gateGrad, BufferView<float> upGrad, BufferView<float> outputGrad, BufferView<float> gate, BufferView<float> up,
        long count, Activation activation) =>
        inner.GatedActivationBackward(gateGrad, upGrad, outputGrad, gate, up, count, activation);
    public void CrossEntropyForward(BufferView<float> nll, BufferView<float> logSumExp, BufferView<int> isArgmax, BufferView<float> logits, BufferView<int> targets, int rows, int vocab) =>
        inner.CrossEntropyForward(nll, logSumExp, isArgmax, logits, targets, rows, vocab);
    public void CrossEntropyBackward(BufferView<float> logits, BufferView<float> logSumExp, BufferView<int> targets, BufferView<float> coefficients, int rows, int vocab) =>
        inner.CrossEntropyBackward(logits, logSumExp, targets, coefficients, rows, vocab);
    public void GatherRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) => inner.GatherRows(output, input, indices, count, dim);
    public void ScatterAddRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) => inner.ScatterAddRows(output, input, indices, count, dim);
    public void DropoutForward(BufferView<float> output, BufferView<float> mask, BufferView<float> input, long count, float probability, ulong seed) =>
        inner.DropoutForward(output, mask, input, count, probability, seed);
    public void MultiplyAccumulate(BufferView<float> target, BufferView<float> a, BufferView<float> b) => inner.MultiplyAccumulate(target, a, b);

    public void AdamWStep(BufferView<float> parameters, BufferView<float> gradients, BufferView<float> firstMoment, BufferView<float> secondMoment, double learningRate,
        double beta1, double beta2, double epsilon, double weightDecay, int step, float gradientScale = 1f)
    {
        if (ThrowInAdamW) throw new InvalidOperationException("AdamW is broken on purpose.");
        inner.AdamWStep(parameters, gradients, firstMoment, secondMoment, learningRate, beta1, beta2, epsilon, weightDecay, step, gradientScale);
    }

    public void Synchronize() => inner.Synchronize();
}
