using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

public sealed partial class TransformerModel
{
    /// <summary>
    /// Runs the forward pass over a batch through the LM-head loss: afterwards <see cref="ReadNll"/> gives ℓ_i for every
    /// scored token. With <paramref name="training"/>, activations are kept for <see cref="Backward"/> and LoRA dropout
    /// is active (mask stream seeded by <paramref name="dropoutSeed"/>). Does not allocate once the workspace fits.
    /// </summary>
    public void Forward(ForwardBatch batch, bool training, ulong dropoutSeed = 0)
    {
        var c = Config;
        var b = Backend;
        int rows = batch.Rows, length = batch.Length, n = batch.TokenCount, m = batch.ScoredTokens.Length, d = c.HiddenSize;
        var ws = EnsureWorkspace(rows, length, m, training);
        _lastBatch = batch;
        _lastTrainingBatch = training ? batch : _lastTrainingBatch;

        b.Upload(batch.Ids, ws.Ids.Take(n));
        b.Upload(batch.Positions, ws.Positions.Take(n));
        b.Upload(batch.DocumentStart, ws.GlobalStart.Take(n));
        bool anySliding = false;
        for (int l = 0; l < c.LayerCount; l++) anySliding |= c.SlidingLayers[l];
        if (anySliding)
        {
            var sliding = ws.HostSlidingStart;
            for (int i = 0; i < n; i++) sliding[i] = Math.Max(batch.DocumentStart[i], i % length - c.SlidingWindow + 1);
            b.Upload(sliding.AsSpan(0, n), ws.SlidingStart.Take(n));
        }

        b.EmbeddingForward(ws.Layers[0].Input, Embedding.Value, ws.Ids, n, d, c.EmbeddingScale);
        for (int l = 0; l < c.LayerCount; l++)
        {
            var output = training ? (l + 1 < c.LayerCount ? ws.Layers[l + 1].Input : ws.FinalResidual) : ws.Layers[l].Input;
            LayerForward(l, ws, rows, length, output, training, dropoutSeed);
        }

        b.RmsNormForward(ws.FinalNormed, ws.FinalRstd, ws.FinalResidual, FinalNorm.Value, n, d, (float)c.RmsNormEps, c.NormWeightOffset);
        if (m == 0) return;
        b.Upload(batch.ScoredTokens, ws.ScoredTokens.Take(m));
        b.Upload(batch.Targets, ws.Targets.Take(m));
        b.GatherRows(ws.Scored, ws.FinalNormed, ws.ScoredTokens, m, d);
        for (int start = 0; start < m; start += ws.LogitRows)
        {
            int count = Math.Min(ws.LogitRows, m - start);
            ComputeLogits(ws, start, count);
            b.CrossEntropyForward(ws.Nll.Slice(start, count), ws.LogSumExp.Slice(start, count), ws.IsArgmax.Slice(start, count),
                ws.Logits, ws.Targets.Slice(start, count), count, c.VocabSize);
        }
    }

    private void ComputeLogits(Workspace ws, int start, int count)
    {
        int d = Config.HiddenSize, v = Config.VocabSize;
        Backend.Gemm(false, true, count, v, d, 1f, ws.Scored.Slice((long)start * d, (long)count * d), d, LmHead.Value, d, 0f, ws.Logits, v);
    }

    private BufferView<float> RopeCos(int layer) => Config.SlidingLayers[layer] ? _ropeLocalCos.View : _ropeCos.View;

    private BufferView<float> RopeSin(int layer) => Config.SlidingLayers[layer] ? _ropeLocalSin.View : _ropeSin.View;

    private void LayerForward(int l, Workspace ws, int rows, int length, BufferView<float> output, bool training, ulong seed)
    {
        var c = Config;
        var b = Backend;
        var w = Layers[l];
        var a = ws.Layers[l];
        int n = rows * length, d = c.HiddenSize, h = c.HeadCount, kvh = c.KvHeadCount, hd = c.HeadDim;
        float eps = (float)c.RmsNormEps, off = c.NormWeightOffset;

        b.RmsNormForward(a.AttentionIn, a.AttentionRstd, a.Input, w.AttentionNorm.Value, n, d, eps, off);
        w.Q.Forward(b, a.AttentionIn, a.QRaw, n, a.LowRank[0], seed, training);
        w.K.Forward(b, a.AttentionIn, a.KRaw, n, a.LowRank[1], seed, training);
        w.V.Forward(b, a.AttentionIn, a.V, n, a.LowRank[2], seed, training);
        if (c.QkNorm)
        {
            b.RmsNormForward(a.Q, a.QRstd, a.QRaw, w.QNorm!.Value, n * h, hd, eps, off);
            b.RmsNormForward(a.K, a.KRstd, a.KRaw, w.KNorm!.Value, n * kvh, hd, eps, off);
        }
        b.RopeForward(a.Q, RopeCos(l), RopeSin(l), ws.Positions, n, h, hd);
        b.RopeForward(a.K, RopeCos(l), RopeSin(l), ws.Positions, n, kvh, hd);
        b.AttentionForward(a.Attention, training ? a.AttentionSaved : BufferView<float>.None, a.Q, a.K, a.V,
            Config.SlidingLayers[l] ? ws.SlidingStart : ws.GlobalStart, rows, length, h, kvh, hd, c.AttentionScale, ws.SaveProbabilities);
        w.O.Forward(b, a.Attention, a.AttentionOut, n, a.LowRank[3], seed, training);

        var middle = training ? a.Middle : a.Input;
        if (c.SandwichNorms)
        {
            // MlpIn is free until the MLP norm below; use it for the normalised attention output.
            b.RmsNormForward(a.MlpIn, a.AttentionOutRstd, a.AttentionOut, w.AttentionOutputNorm!.Value, n, d, eps, off);
            b.Add(middle.Take((long)n * d), a.Input.Take((long)n * d), a.MlpIn.Take((long)n * d));
        }
        else
        {
            b.Add(middle.Take((long)n * d), a.Input.Take((long)n * d), a.AttentionOut.Take((long)n * d));
        }

        b.RmsNormForward(a.MlpIn, a.MlpRstd, middle, w.MlpNorm.Value, n, d, eps, off);
        w.Gate.Forward(b, a.MlpIn, a.Gate, n, a.LowRank[4], seed, training);
        w.Up.Forward(b, a.MlpIn, a.Up, n, a.LowRank[5], seed, training);
        b.GatedActivationForward(a.Activated, a.Gate, a.Up, (long)n * c.IntermediateSize, c.Activation);
        w.Down.Forward(b, a.Activated, a.MlpOut, n, a.LowRank[6], seed, training);
        if (c.SandwichNorms)
        {
            // FinalNormed is only needed after the last layer; until then it holds the normalised MLP output.
            b.RmsNormForward(ws.FinalNormed, a.MlpOutRstd, a.MlpOut, w.MlpOutputNorm!.Value, n, d, eps, off);
            b.Add(output.Take((long)n * d), middle.Take((long)n * d), ws.FinalNormed.Take((long)n * d));
        }
        else
        {
            b.Add(output.Take((long)n * d), middle.Take((long)n * d), a.MlpOut.Take((long)n * d));
        }
    }

    /// <summary>Copies ℓ_i of the last forward's scored tokens into <paramref name="destination"/> (length = scored count).</summary>
    public void ReadNll(Span<float> destination)
    {
        var ws = _workspace ?? throw new InvalidOperationException("Run Forward first.");
        Backend.Download(ws.Nll.Take(destination.Length), destination);
    }

    /// <summary>
    /// Copies the logits of the last forward's scored tokens (scored × vocab) into <paramref name="destination"/>. Only
    /// available when they fit in one logits block and before <see cref="Backward"/> turns them into gradients.
    /// </summary>
    public void ReadLogits(Span<float> destination)
    {
        var ws = _workspace ?? throw new InvalidOperationException("Run Forward first.");
        int m = _lastBatch?.ScoredTokens.Length ?? 0;
        if (m > ws.LogitRows) throw new InvalidOperationException($"{m} scored rows exceed one logits block of {ws.LogitRows}; raise ModelOptions.LogitsBudget.");
        Backend.Download(ws.Logits.Take(destination.Length), destination);
    }

    /// <summary>Copies, per scored token of the last forward, 1 when the target was the argmax, else 0.</summary>
    public void ReadIsArgmax(Span<int> destination)
    {
        var ws = _workspace ?? throw new InvalidOperationException("Run Forward first.");
        Backend.Download(ws.IsArgmax.Take(destination.Length), destination);
    }

    /// <summary>
    /// Back-propagates dlogits_i = coefficient[i]·(softmax_i − onehot(y_i)) for the last training forward and adds the
    /// gradients of every trainable parameter to its gradient buffer (allocate them first with
    /// <see cref="ParameterStore.EnsureGradients"/>).
    /// </summary>
    public void Backward(ReadOnlySpan<float> coefficients)
    {
        var batch = _lastTrainingBatch ?? throw new InvalidOperationException("Backward needs a forward run with training: true.");
        if (!Parameters.HasGradients) throw new InvalidOperationException("Gradients are not allocated; call Parameters.EnsureGradients().");
        var c = Config;
        var b = Backend;
        var ws = _trainingWorkspace!;
        int rows = batch.Rows, length = batch.Length, n = batch.TokenCount, m = batch.ScoredTokens.Length, d = c.HiddenSize, v = c.VocabSize;
        if (coefficients.Length != m) throw new ArgumentException($"Expected {m} coefficients, got {coefficients.Length}.");
        float eps = (float)c.RmsNormEps, off = c.NormWeightOffset;

        b.Fill(ws.HiddenGrad.Take((long)n * d), 0f);
        if (m > 0)
        {
            b.Upload(coefficients, ws.Coefficients.Take(m));
            bool recompute = m > ws.LogitRows;
            for (int start = 0; start < m; start += ws.LogitRows)
            {
                int count = Math.Min(ws.LogitRows, m - start);
                if (recompute) ComputeLogits(ws, start, count);
                b.CrossEntropyBackward(ws.Logits, ws.LogSumExp.Slice(start, count), ws.Targets.Slice(start, count), ws.Coefficients.Slice(start, count), count, v);
                var scored = ws.Scored.Slice((long)start * d, (long)count * d);
                b.Gemm(false, false, count, d, v, 1f, ws.Logits, v, LmHead.Value, d, 0f, ws.ScoredGrad.Slice((long)start * d, (long)count * d), d);
                if (!LmHead.Gradient.IsNone) b.Gemm(true, false, v, d, count, 1f, ws.Logits, v, scored, d, 1f, LmHead.Gradient, d);
            }
            b.ScatterAddRows(ws.HiddenGrad, ws.ScoredGrad, ws.ScoredTokens, m, d);
        }
        b.RmsNormBackward(ws.ResidualGrad, FinalNorm.Gradient, ws.HiddenGrad, ws.FinalResidual, FinalNorm.Value, ws.FinalRstd, n, d, off, accumulate: false);

        for (int l = c.LayerCount - 1; l >= 0; l--) LayerBackward(l, ws, rows, length);

        if (!Embedding.Gradient.IsNone) b.EmbeddingBackward(Embedding.Gradient, ws.ResidualGrad, ws.Ids, n, d, c.EmbeddingScale);
    }

    private void LayerBackward(int l, Workspace ws, int rows, int length)
    {
        var c = Config;
        var b = Backend;
        var w = Layers[l];
        var a = ws.Layers[l];
        int n = rows * length, d = c.HiddenSize, h = c.HeadCount, kvh = c.KvHeadCount, hd = c.HeadDim;
        long im = (long)n * c.IntermediateSize;
        float off = c.NormWeightOffset;
        var dres = ws.ResidualGrad;
        var scratchR = ws.LowRankProjectedGrad;
        var scratchIn = ws.LowRankInputScratch;

        // MLP block: out = middle + post(down(act(gate)·up)).
        var dMlpOut = dres;
        if (c.SandwichNorms)
        {
            b.RmsNormBackward(ws.HiddenGrad, w.MlpOutputNorm!.Gradient, dres, a.MlpOut, w.MlpOutputNorm.Value, a.MlpOutRstd, n, d, off, accumulate: false);
            dMlpOut = ws.HiddenGrad;
        }
        w.Down.Backward(b, ws.ActivatedGrad, false, dMlpOut, a.Activated, n, a.LowRank[6], scratchR, scratchIn, true);
        b.GatedActivationBackward(ws.GateGrad, ws.UpGrad, ws.ActivatedGrad, a.Gate, a.Up, im, c.Activation);
        w.Gate.Backward(b, ws.HiddenGrad, false, ws.GateGrad, a.MlpIn, n, a.LowRank[4], scratchR, scratchIn, true);
        w.Up.Backward(b, ws.HiddenGrad, true, ws.UpGrad, a.MlpIn, n, a.LowRank[5], scratchR, scratchIn, true);
        b.RmsNormBackward(dres, w.MlpNorm.Gradient, ws.HiddenGrad, a.Middle, w.MlpNorm.Value, a.MlpRstd, n, d, off, accumulate: true);

        // Attention block: middle = input + post(o_proj(attention(rope(norm(q)), rope(norm(k)), v))).
        var dAttentionOut = dres;
        if (c.SandwichNorms)
        {
            b.RmsNormBackward(ws.HiddenGrad, w.AttentionOutputNorm!.Gradient, dres, a.AttentionOut, w.AttentionOutputNorm.Value, a.AttentionOutRstd, n, d, off, accumulate: false);
            dAttentionOut = ws.HiddenGrad;
        }
        w.O.Backward(b, ws.AttentionGrad, false, dAttentionOut, a.Attention, n, a.LowRank[3], scratchR, scratchIn, true);
        b.AttentionBackward(ws.QGrad, ws.KGrad, ws.VGrad, ws.AttentionGrad, a.Q, a.K, a.V, a.AttentionSaved,
            c.SlidingLayers[l] ? ws.SlidingStart : ws.GlobalStart, rows, length, h, kvh, hd, c.AttentionScale, ws.SaveProbabilities);
        b.RopeBackward(ws.QGrad, RopeCos(l), RopeSin(l), ws.Positions, n, h, hd);
        b.RopeBackward(ws.KGrad, RopeCos(l), RopeSin(l), ws.Positions, n, kvh, hd);
        var dq = ws.QGrad;
        var dk = ws.KGrad;
        if (c.QkNorm)
        {
            b.RmsNormBackward(ws.QRawGrad, w.QNorm!.Gradient, ws.QGrad, a.QRaw, w.QNorm.Value, a.QRstd, n * h, hd, off, accumulate: false);
            b.RmsNormBackward(ws.KRawGrad, w.KNorm!.Gradient, ws.KGrad, a.KRaw, w.KNorm.Value, a.KRstd, n * kvh, hd, off, accumulate: false);
            dq = ws.QRawGrad;
            dk = ws.KRawGrad;
        }
        w.Q.Backward(b, ws.HiddenGrad, false, dq, a.AttentionIn, n, a.LowRank[0], scratchR, scratchIn, true);
        w.K.Backward(b, ws.HiddenGrad, true, dk, a.AttentionIn, n, a.LowRank[1], scratchR, scratchIn, true);
        w.V.Backward(b, ws.HiddenGrad, true, ws.VGrad, a.AttentionIn, n, a.LowRank[2], scratchR, scratchIn, true);
        b.RmsNormBackward(dres, w.AttentionNorm.Gradient, ws.HiddenGrad, a.Input, w.AttentionNorm.Value, a.AttentionRstd, n, d, off, accumulate: true);
    }
}
