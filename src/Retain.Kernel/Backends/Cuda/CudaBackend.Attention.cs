using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void RopeForward(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        Rope(x, cos, sin, positions, rows, heads, headDim, 1f);

    /// <inheritdoc />
    public void RopeBackward(BufferView<float> grad, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim) =>
        Rope(grad, cos, sin, positions, rows, heads, headDim, -1f);

    private void Rope(BufferView<float> x, BufferView<float> cos, BufferView<float> sin, BufferView<int> positions, int rows, int heads, int headDim, float direction)
    {
        if (headDim % 2 != 0) throw new ArgumentException($"Rotary embedding needs an even head dimension, not {headDim}.");
        int half = headDim / 2;
        int maxPosition = (int)(cos.Length / half);
        Launch(CudaKernels.Rope, Elements((long)rows * heads * half), 0, F(x, (long)rows * heads * headDim, nameof(x)),
            F(cos, (long)maxPosition * half, nameof(cos)), F(sin, (long)maxPosition * half, nameof(sin)), I(positions, rows, nameof(positions)),
            rows, heads, headDim, maxPosition, direction, ErrorWord);
    }

    private static void CheckGrouping(int heads, int kvHeads)
    {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new ArgumentException($"{heads} query heads cannot be grouped over {kvHeads} key/value heads.");
    }

    /// <summary>Elements of what the forward keeps: probabilities (batchRows·heads·T²) or log-sum-exps (batchRows·heads·T).</summary>
    private static long SavedLength(int batchRows, int heads, int rowLength, bool probabilities) =>
        (long)batchRows * heads * rowLength * (probabilities ? rowLength : 1);

    /// <inheritdoc />
    /// <remarks>
    /// Materialised scores, per batch row r and position g within a query-head group, batched over the kv heads b
    /// (query head h = b·group + g, as Hugging Face's repeat_kv): S_b = scale·Q_h·K_bᵀ (T×T), masked softmax in place,
    /// O_h = P_b·V_b. The scores live in <paramref name="saved"/> when it keeps probabilities, else in scratch (with the
    /// log-sum-exps written to <paramref name="saved"/> when given).
    /// </remarks>
    public void AttentionForward(BufferView<float> output, BufferView<float> saved, BufferView<float> q, BufferView<float> k,
        BufferView<float> v, BufferView<int> keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale,
        bool saveProbabilities)
    {
        CheckGrouping(heads, kvHeads);
        int T = rowLength, hd = headDim, group = heads / kvHeads;
        long tokens = (long)batchRows * T, tt = (long)T * T;
        var o = F(output, tokens * heads * hd, nameof(output));
        var pq = F(q, tokens * heads * hd, nameof(q));
        var pk = F(k, tokens * kvHeads * hd, nameof(k));
        var pv = F(v, tokens * kvHeads * hd, nameof(v));
        var starts = I(keyStart, tokens, nameof(keyStart));
        var kept = Optional(saved, SavedLength(batchRows, heads, T, saveProbabilities), nameof(saved));
        bool probabilities = !kept.IsNull && saveProbabilities;
        var scratch = probabilities ? DevicePointer.Null : _attention.Get(kvHeads * tt * sizeof(float));
        for (int r = 0; r < batchRows; r++)
        {
            for (int g = 0; g < group; g++)
            {
                // Scores of heads b·group + g of row r, one T×T matrix per kv head b.
                var scores = probabilities ? kept.Offset(((long)r * heads + g) * tt) : scratch;
                long scoreStride = probabilities ? group * tt : tt;
                var lse = kept.IsNull || probabilities ? DevicePointer.Null : kept.Offset(((long)r * heads + g) * T);
                var qh = pq.Offset(((long)r * T * heads + g) * hd);
                var kb = pk.Offset((long)r * T * kvHeads * hd);
                var vb = pv.Offset((long)r * T * kvHeads * hd);
                var oh = o.Offset(((long)r * T * heads + g) * hd);
                RowMajorGemm(false, true, T, T, hd, scale, qh, CudaDataType.Float32, heads * hd, (long)group * hd,
                    kb, CudaDataType.Float32, kvHeads * hd, hd, 0f, scores, T, scoreStride, kvHeads, BatchedCompute);
                Launch(CudaKernels.AttentionSoftmax, new Dim3((uint)T, (uint)kvHeads), 0, scores, scoreStride, starts.Offset((long)r * T, sizeof(int)),
                    T, r, lse, (long)group * T, ErrorWord);
                RowMajorGemm(false, false, T, hd, T, 1f, scores, CudaDataType.Float32, T, scoreStride,
                    vb, CudaDataType.Float32, kvHeads * hd, hd, 0f, oh, heads * hd, (long)group * hd, kvHeads, BatchedCompute);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Per (row r, group position g), batched over kv heads b with h = b·group + g: P_b from <paramref name="saved"/>
    /// (or recomputed: S_b = scale·Q_h·K_bᵀ, P = exp(S − lse) on each row's keys); dP_b = dO_h·V_bᵀ (scratch);
    /// dS_b = P∘(dP − rowsum(P∘dP))·scale in place; dV_b (+)= P_bᵀ·dO_h; dQ_h = dS_b·K_b; dK_b (+)= dS_bᵀ·Q_h — "(+)=" is
    /// "=" for g = 0 and "+=" after, so each kv head's gradient sums its query heads and is overwritten, not accumulated.
    /// </remarks>
    public void AttentionBackward(BufferView<float> qGrad, BufferView<float> kGrad, BufferView<float> vGrad, BufferView<float> outputGrad,
        BufferView<float> q, BufferView<float> k, BufferView<float> v, BufferView<float> saved, BufferView<int> keyStart,
        int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale, bool saveProbabilities)
    {
        CheckGrouping(heads, kvHeads);
        int T = rowLength, hd = headDim, group = heads / kvHeads;
        long tokens = (long)batchRows * T, tt = (long)T * T;
        long qn = tokens * heads * hd, kn = tokens * kvHeads * hd;
        var dq = F(qGrad, qn, nameof(qGrad));
        var dk = F(kGrad, kn, nameof(kGrad));
        var dv = F(vGrad, kn, nameof(vGrad));
        var dO = F(outputGrad, qn, nameof(outputGrad));
        var pq = F(q, qn, nameof(q));
        var pk = F(k, kn, nameof(k));
        var pv = F(v, kn, nameof(v));
        var kept = F(saved, SavedLength(batchRows, heads, T, saveProbabilities), nameof(saved));
        var starts = I(keyStart, tokens, nameof(keyStart));
        var ds = _attention.Get(kvHeads * tt * sizeof(float));
        var recomputed = saveProbabilities ? DevicePointer.Null : _recomputed.Get(kvHeads * tt * sizeof(float));
        var compute = BatchedCompute;
        for (int r = 0; r < batchRows; r++)
        {
            var kb = pk.Offset((long)r * T * kvHeads * hd);
            var vb = pv.Offset((long)r * T * kvHeads * hd);
            var dkb = dk.Offset((long)r * T * kvHeads * hd);
            var dvb = dv.Offset((long)r * T * kvHeads * hd);
            for (int g = 0; g < group; g++)
            {
                var qh = pq.Offset(((long)r * T * heads + g) * hd);
                var dqh = dq.Offset(((long)r * T * heads + g) * hd);
                var doh = dO.Offset(((long)r * T * heads + g) * hd);
                DevicePointer probs;
                long probStride;
                if (saveProbabilities)
                {
                    probs = kept.Offset(((long)r * heads + g) * tt);
                    probStride = group * tt;
                }
                else
                {
                    probs = recomputed;
                    probStride = tt;
                    RowMajorGemm(false, true, T, T, hd, scale, qh, CudaDataType.Float32, heads * hd, (long)group * hd,
                        kb, CudaDataType.Float32, kvHeads * hd, hd, 0f, probs, T, tt, kvHeads, compute);
                    Launch(CudaKernels.AttentionRecompute, new Dim3((uint)T, (uint)kvHeads), 0, probs, tt, starts.Offset((long)r * T, sizeof(int)),
                        kept.Offset(((long)r * heads + g) * T), (long)group * T, T);
                }
                float accumulate = g == 0 ? 0f : 1f;
                RowMajorGemm(false, true, T, T, hd, 1f, doh, CudaDataType.Float32, heads * hd, (long)group * hd,
                    vb, CudaDataType.Float32, kvHeads * hd, hd, 0f, ds, T, tt, kvHeads, compute);
                Launch(CudaKernels.AttentionSoftmaxBackward, new Dim3((uint)T, (uint)kvHeads), 0, ds, tt, probs, probStride, T, scale);
                RowMajorGemm(true, false, T, hd, T, 1f, probs, CudaDataType.Float32, T, probStride,
                    doh, CudaDataType.Float32, heads * hd, (long)group * hd, accumulate, dvb, kvHeads * hd, hd, kvHeads, compute);
                RowMajorGemm(false, false, T, hd, T, 1f, ds, CudaDataType.Float32, T, tt,
                    kb, CudaDataType.Float32, kvHeads * hd, hd, 0f, dqh, heads * hd, (long)group * hd, kvHeads, compute);
                RowMajorGemm(true, false, T, hd, T, 1f, ds, CudaDataType.Float32, T, tt,
                    qh, CudaDataType.Float32, heads * hd, (long)group * hd, accumulate, dkb, kvHeads * hd, hd, kvHeads, compute);
            }
        }
    }

    /// <inheritdoc />
    public void KvCacheWrite(BufferView<float> keyCache, BufferView<float> valueCache, BufferView<float> k, BufferView<float> v,
        BufferView<int> slots, BufferView<int> positions, int rows, int kvDim, int capacity)
    {
        int slotCount = (int)(keyCache.Length / ((long)capacity * kvDim));
        long cacheSize = (long)slotCount * capacity * kvDim;
        Launch(CudaKernels.KvCacheWrite, Elements((long)rows * kvDim), 0, F(keyCache, cacheSize, nameof(keyCache)), F(valueCache, cacheSize, nameof(valueCache)),
            F(k, (long)rows * kvDim, nameof(k)), F(v, (long)rows * kvDim, nameof(v)), I(slots, rows, nameof(slots)), I(positions, rows, nameof(positions)),
            rows, kvDim, capacity, slotCount, ErrorWord);
    }

    /// <inheritdoc />
    public void CachedAttentionForward(BufferView<float> output, BufferView<float> q, BufferView<float> keyCache, BufferView<float> valueCache,
        BufferView<int> slots, BufferView<int> positions, int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window)
    {
        CheckGrouping(heads, kvHeads);
        if (headDim > 4 * CudaKernels.Block) throw new ArgumentException($"Cached attention supports head dimensions up to {4 * CudaKernels.Block}, not {headDim}.");
        long kvDim = (long)kvHeads * headDim;
        int slotCount = (int)(keyCache.Length / (capacity * kvDim));
        long cacheSize = slotCount * capacity * kvDim;
        Launch(CudaKernels.CachedAttention, new Dim3((uint)rows, (uint)heads), 0,
            F(output, (long)rows * heads * headDim, nameof(output)), F(q, (long)rows * heads * headDim, nameof(q)),
            F(keyCache, cacheSize, nameof(keyCache)), F(valueCache, cacheSize, nameof(valueCache)), I(slots, rows, nameof(slots)),
            I(positions, rows, nameof(positions)), capacity, slotCount, heads, kvHeads, headDim, window, scale, ErrorWord);
    }
}
