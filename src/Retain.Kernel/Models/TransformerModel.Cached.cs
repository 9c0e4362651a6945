using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

public sealed partial class TransformerModel
{
    private Workspace? _cacheWorkspace;

    private void DisposeCacheWorkspace()
    {
        _cacheWorkspace?.Dispose();
        _cacheWorkspace = null;
    }

    /// <summary>
    /// Forward of new tokens against a KV cache (prefill chunks and batched decoding): row i is token ids[i] of the
    /// sequence in cache slot slots[i] at position positions[i]; its k and v are stored in the cache and it attends the
    /// slot's positions up to its own. Writes the logits of the rows listed in <paramref name="logitRows"/> into
    /// <paramref name="logits"/> (logitRows.Length × vocab). Rows of one slot must come in position order, and every
    /// earlier position of the slot must already be in the cache.
    /// </summary>
    public void ForwardCached(KvCache cache, ReadOnlySpan<int> ids, ReadOnlySpan<int> positions, ReadOnlySpan<int> slots,
        ReadOnlySpan<int> logitRows, Span<float> logits)
    {
        var c = Config;
        var b = Backend;
        int n = ids.Length, d = c.HiddenSize, h = c.HeadCount, kvh = c.KvHeadCount, hd = c.HeadDim, k = logitRows.Length;
        if (positions.Length != n || slots.Length != n) throw new ArgumentException("ids, positions and slots must have the same length.");
        if (logits.Length != (long)k * c.VocabSize) throw new ArgumentException($"logits must hold {k} × {c.VocabSize} floats.");
        if (n == 0) return;
        if (_cacheWorkspace is null || !_cacheWorkspace.Fits(1, n, k, false) || _cacheWorkspace.LogitRows < k)
        {
            int tokens = Math.Max(n, _cacheWorkspace?.Tokens ?? 0);
            int scored = Math.Max(k, _cacheWorkspace?.ScoredCapacity ?? 0);
            _cacheWorkspace?.Dispose();
            _cacheWorkspace = new Workspace(this, 1, tokens, scored, training: false);
            if (_cacheWorkspace.LogitRows < k)
            {
                throw new ArgumentException($"{k} logit rows exceed the logits budget of {LogitsBudget} floats; raise ModelOptions.LogitsBudget.");
            }
        }
        var ws = _cacheWorkspace;
        b.Upload(ids, ws.Ids.Take(n));
        b.Upload(positions, ws.Positions.Take(n));
        b.Upload(slots, ws.GlobalStart.Take(n));
        var slotView = ws.GlobalStart.Take(n);
        var x = ws.Layers[0].Input;
        float eps = (float)c.RmsNormEps, off = c.NormWeightOffset;

        b.EmbeddingForward(x, Embedding.Value, ws.Ids, n, d, c.EmbeddingScale);
        for (int l = 0; l < c.LayerCount; l++)
        {
            var w = Layers[l];
            var a = ws.Layers[l];
            b.RmsNormForward(a.AttentionIn, a.AttentionRstd, x, w.AttentionNorm.Value, n, d, eps, off);
            w.Q.Forward(b, a.AttentionIn, a.QRaw, n, a.LowRank[0], 0, false);
            w.K.Forward(b, a.AttentionIn, a.KRaw, n, a.LowRank[1], 0, false);
            w.V.Forward(b, a.AttentionIn, a.V, n, a.LowRank[2], 0, false);
            if (c.QkNorm)
            {
                b.RmsNormForward(a.Q, a.QRstd, a.QRaw, w.QNorm!.Value, n * h, hd, eps, off);
                b.RmsNormForward(a.K, a.KRstd, a.KRaw, w.KNorm!.Value, n * kvh, hd, eps, off);
            }
            b.RopeForward(a.Q, RopeCos(l), RopeSin(l), ws.Positions, n, h, hd);
            b.RopeForward(a.K, RopeCos(l), RopeSin(l), ws.Positions, n, kvh, hd);
            b.KvCacheWrite(cache.Keys(l), cache.Values(l), a.K, a.V, slotView, ws.Positions, n, kvh * hd, cache.Capacity);
            b.CachedAttentionForward(a.Attention, a.Q, cache.Keys(l), cache.Values(l), slotView, ws.Positions, n, cache.Capacity, h, kvh, hd,
                c.AttentionScale, c.SlidingLayers[l] ? c.SlidingWindow : 0);
            w.O.Forward(b, a.Attention, a.AttentionOut, n, a.LowRank[3], 0, false);
            if (c.SandwichNorms)
            {
                b.RmsNormForward(a.MlpIn, a.AttentionOutRstd, a.AttentionOut, w.AttentionOutputNorm!.Value, n, d, eps, off);
                b.AddInPlace(x.Take((long)n * d), a.MlpIn.Take((long)n * d));
            }
            else
            {
                b.AddInPlace(x.Take((long)n * d), a.AttentionOut.Take((long)n * d));
            }
            b.RmsNormForward(a.MlpIn, a.MlpRstd, x, w.MlpNorm.Value, n, d, eps, off);
            w.Gate.Forward(b, a.MlpIn, a.Gate, n, a.LowRank[4], 0, false);
            w.Up.Forward(b, a.MlpIn, a.Up, n, a.LowRank[5], 0, false);
            b.GatedActivationForward(a.Activated, a.Gate, a.Up, (long)n * c.IntermediateSize, c.Activation);
            w.Down.Forward(b, a.Activated, a.MlpOut, n, a.LowRank[6], 0, false);
            if (c.SandwichNorms)
            {
                b.RmsNormForward(ws.FinalNormed, a.MlpOutRstd, a.MlpOut, w.MlpOutputNorm!.Value, n, d, eps, off);
                b.AddInPlace(x.Take((long)n * d), ws.FinalNormed.Take((long)n * d));
            }
            else
            {
                b.AddInPlace(x.Take((long)n * d), a.MlpOut.Take((long)n * d));
            }
        }
        if (k == 0) return;
        b.Upload(logitRows, ws.ScoredTokens.Take(k));
        b.GatherRows(ws.Scored, x, ws.ScoredTokens, k, d);
        b.RmsNormForward(ws.FinalNormed, ws.FinalRstd, ws.Scored, FinalNorm.Value, k, d, eps, off);
        b.Gemm(false, true, k, c.VocabSize, d, 1f, ws.FinalNormed, d, LmHead.Value, d, 0f, ws.Logits, c.VocabSize);
        b.Download(ws.Logits.Take((long)k * c.VocabSize), logits);
    }
}
