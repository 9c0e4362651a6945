using Retain.Kernel.Backends;

namespace Retain.Kernel.Diagnostics;

public sealed partial class BackendComparison
{
    private List<(string Name, Action Check)> Checks() =>
    [
        ("memory", CheckMemory),
        ("elementwise", CheckElementwise),
        ("reductions", CheckReductions),
        ("gemm", CheckGemm),
        ("linear", CheckLinear),
        ("embedding", CheckEmbedding),
        ("rmsnorm", CheckRmsNorm),
        ("rope", CheckRope),
        ("attention", () => CheckAttention(batchRows: 2, length: 37, heads: 4, kvHeads: 2, headDim: 16)),
        ("attention", () => CheckAttention(batchRows: 1, length: 19, heads: 4, kvHeads: 1, headDim: 8)),
        ("attention", () => CheckAttention(batchRows: 1, length: 300, heads: 2, kvHeads: 2, headDim: 32)),
        ("cached attention", CheckCachedAttention),
        ("gated activation", CheckGatedActivation),
        ("cross-entropy", CheckCrossEntropy),
        ("rows", CheckRows),
        ("dropout", CheckDropout),
        ("adamw", CheckAdamW),
    ];

    private void CheckMemory()
    {
        using var x = Random(1001);
        Compare("Upload/Download", "x", x);
        using var copy = Poisoned(1001);
        Both((b, f, _) => b.Copy(f(x), f(copy)));
        Compare("Copy", "destination", copy);
        using var filled = Poisoned(777);
        Both((b, f, _) => b.Fill(f(filled), 3.25f));
        Compare("Fill", "destination", filled);
        using var ints = Ints(RandomInts(333, 1 << 30));
        CompareInts("Upload/Download (int)", "x", ints);
        using var zeros = new Twin<float>(_reference.Allocate(4099), _candidate.Allocate(4099));
        Compare("Allocate", "zero-filled", zeros);
    }

    private void CheckElementwise()
    {
        const int n = 10007;
        using var a = Random(n);
        using var b = Random(n);
        using var sum = Poisoned(n);
        Both((k, f, _) => k.Add(f(sum), f(a), f(b)));
        Compare("Add", "output", sum);
        using var target = Random(n);
        Both((k, f, _) => k.AddInPlace(f(target), f(a)));
        Compare("AddInPlace", "target", target);
        Both((k, f, _) => k.Scale(f(target), 0.37f));
        Compare("Scale", "target", target);
        Both((k, f, _) => k.AddScaledDifference(f(target), f(a), f(b), -0.6f));
        Compare("AddScaledDifference", "target", target);
        Both((k, f, _) => k.MultiplyAccumulate(f(target), f(a), f(b)));
        Compare("MultiplyAccumulate", "target", target);
    }

    private void CheckReductions()
    {
        const int n = 300_001;
        using var a = Random(n);
        using var b = Random(n);
        CompareScalar("SumOfSquares", _reference.SumOfSquares(a.R.View), _candidate.SumOfSquares(a.C.View));
        CompareScalar("SquaredDistance", _reference.SquaredDistance(a.R.View, b.R.View), _candidate.SquaredDistance(a.C.View, b.C.View));
        using var small = Random(5);
        CompareScalar("SumOfSquares (5 elements)", _reference.SumOfSquares(small.R.View), _candidate.SumOfSquares(small.C.View));
    }

    private void CheckGemm()
    {
        const int m = 37, n = 53, k = 71;
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
                using var a = Random((long)(ta ? k : m) * lda);
                using var b = Random((long)(tb ? n : k) * ldb);
                string name = $"Gemm ({(ta ? "Aᵀ" : "A")}, {(tb ? "Bᵀ" : "B")}";
                using var c0 = Poisoned((long)m * ldc);
                Both((x, f, _) => x.Gemm(ta, tb, m, n, k, 0.75f, f(a), lda, f(b), ldb, 0f, f(c0), ldc));
                Compare(name + ", beta 0)", "C", c0, matmul: true, include: i => i % ldc < n);
                using var c1 = Random((long)m * ldc);
                Both((x, f, _) => x.Gemm(ta, tb, m, n, k, 1f, f(a), lda, f(b), ldb, 1f, f(c1), ldc));
                Compare(name + ", beta 1)", "C", c1, matmul: true);
            }
        }
    }

    private void CheckLinear()
    {
        const int rows = 29, inF = 48, outF = 40;
        using var x = Random((long)rows * inF);
        using var w = Random((long)outF * inF, 0.2f);
        using var bias = Random(outF);
        using var y = Poisoned((long)rows * outF);
        Both((b, f, _) => b.LinearForward(f(y), f(x), f(w), f(bias), rows, inF, outF));
        Compare("LinearForward (bias)", "output", y, matmul: true);
        using var y2 = Poisoned((long)rows * outF);
        Both((b, f, _) => b.LinearForward(f(y2), f(x), f(w), BufferView<float>.None, rows, inF, outF));
        Compare("LinearForward (no bias)", "output", y2, matmul: true);

        using var dy = Random((long)rows * outF);
        using var dx = Poisoned((long)rows * inF);
        using var dw = Random((long)outF * inF);
        using var db = Random(outF);
        Both((b, f, _) => b.LinearBackward(f(dx), f(dw), f(db), f(dy), f(x), f(w), rows, inF, outF, accumulateInput: false));
        Compare("LinearBackward", "inputGrad (=)", dx, matmul: true);
        Compare("LinearBackward", "weightGrad (+=)", dw, matmul: true);
        Compare("LinearBackward", "biasGrad (+=)", db, matmul: true);
        using var dx2 = Random((long)rows * inF);
        Both((b, f, _) => b.LinearBackward(f(dx2), BufferView<float>.None, BufferView<float>.None, f(dy), BufferView<float>.None, f(w), rows, inF, outF, accumulateInput: true));
        Compare("LinearBackward (frozen weight)", "inputGrad (+=)", dx2, matmul: true);
    }

    private void CheckEmbedding()
    {
        const int vocab = 97, dim = 24, rows = 57;
        using var table = Random((long)vocab * dim);
        using var ids = Ints(RandomInts(rows, vocab));
        foreach (float scale in new[] { 1f, 4.898979f })
        {
            using var output = Poisoned((long)rows * dim);
            Both((b, f, i) => b.EmbeddingForward(f(output), f(table), i(ids), rows, dim, scale));
            Compare($"EmbeddingForward (scale {scale})", "output", output);
            using var grad = Random((long)rows * dim);
            using var tableGrad = Random((long)vocab * dim);
            Both((b, f, i) => b.EmbeddingBackward(f(tableGrad), f(grad), i(ids), rows, dim, scale));
            Compare($"EmbeddingBackward (scale {scale})", "tableGrad (+=)", tableGrad);
        }
    }

    private void CheckRmsNorm()
    {
        foreach (var (rows, dim) in new[] { (33, 320), (132, 16) })
        {
            foreach (float offset in new[] { 0f, 1f })
            {
                string name = $"RmsNorm{{0}} ({rows}×{dim}, offset {offset})";
                using var x = Random((long)rows * dim, 2f);
                using var w = Random(dim);
                using var y = Poisoned((long)rows * dim);
                using var rstd = Poisoned(rows);
                Both((b, f, _) => b.RmsNormForward(f(y), f(rstd), f(x), f(w), rows, dim, 1e-6f, offset));
                Compare(string.Format(name, "Forward"), "output", y);
                Compare(string.Format(name, "Forward"), "rstd", rstd);
                using var dy = Random((long)rows * dim);
                using var dx = Poisoned((long)rows * dim);
                using var dw = Random(dim);
                Both((b, f, _) => b.RmsNormBackward(f(dx), f(dw), f(dy), f(x), f(w), f(rstd), rows, dim, offset, accumulate: false));
                Compare(string.Format(name, "Backward"), "inputGrad (=)", dx);
                Compare(string.Format(name, "Backward"), "weightGrad (+=)", dw);
                using var dx2 = Random((long)rows * dim);
                Both((b, f, _) => b.RmsNormBackward(f(dx2), BufferView<float>.None, f(dy), f(x), f(w), f(rstd), rows, dim, offset, accumulate: true));
                Compare(string.Format(name, "Backward"), "inputGrad (+=)", dx2);
            }
        }
    }

    private void CheckRope()
    {
        const int rows = 23, heads = 3, headDim = 16, positions = 64, half = headDim / 2;
        var cos = new float[positions * half];
        var sin = new float[positions * half];
        for (int i = 0; i < cos.Length; i++)
        {
            double angle = _random.NextDouble() * 2 * Math.PI;
            cos[i] = (float)Math.Cos(angle);
            sin[i] = (float)Math.Sin(angle);
        }
        using var c = Floats(cos);
        using var s = Floats(sin);
        using var pos = Ints(RandomInts(rows, positions));
        using var x = Random((long)rows * heads * headDim);
        Both((b, f, i) => b.RopeForward(f(x), f(c), f(s), i(pos), rows, heads, headDim));
        Compare("RopeForward", "x (in place)", x);
        Both((b, f, i) => b.RopeBackward(f(x), f(c), f(s), i(pos), rows, heads, headDim));
        Compare("RopeBackward", "grad (in place)", x);
    }

    /// <summary>
    /// Row 0 packs two documents (a boundary in the middle); row 1 uses a sliding window of 8 keys; a 300-token row
    /// crosses the kernels' 256-thread blocks.
    /// </summary>
    private void CheckAttention(int batchRows, int length, int heads, int kvHeads, int headDim)
    {
        int T = length, boundary = T / 2 - 3;
        var keyStart = new int[batchRows * T];
        for (int r = 0; r < batchRows; r++)
        {
            for (int t = 0; t < T; t++) keyStart[r * T + t] = r % 2 == 0 ? (t < boundary ? 0 : boundary) : Math.Max(0, t - 7);
        }
        string shape = $"{batchRows}×{T}, {heads}/{kvHeads} heads, d {headDim}";
        float scale = 1f / MathF.Sqrt(headDim);
        long tokens = (long)batchRows * T;
        using var starts = Ints(keyStart);
        using var q = Random(tokens * heads * headDim, 2f);
        using var k = Random(tokens * kvHeads * headDim, 2f);
        using var v = Random(tokens * kvHeads * headDim);
        using var dOut = Random(tokens * heads * headDim);
        foreach (bool probabilities in new[] { true, false })
        {
            string name = $"({shape}, saved {(probabilities ? "probabilities" : "log-sum-exps")})";
            using var output = Poisoned(tokens * heads * headDim);
            using var saved = Poisoned((long)batchRows * heads * T * (probabilities ? T : 1));
            Both((b, f, i) => b.AttentionForward(f(output), f(saved), f(q), f(k), f(v), i(starts), batchRows, T, heads, kvHeads, headDim, scale, probabilities));
            Compare($"AttentionForward {name}", "output", output, matmul: true);
            if (probabilities)
            {
                // Only the entries a query may attend are defined; the rest of the layout is the backend's own.
                Compare($"AttentionForward {name}", "probabilities (attended keys)", saved, matmul: true, include: index =>
                {
                    long t = index / T % T, j = index % T, r = index / ((long)heads * T * T);
                    return j >= keyStart[r * T + t] && j <= t;
                });
            }
            else
            {
                Compare($"AttentionForward {name}", "log-sum-exps", saved, matmul: true);
            }
            using var dq = Poisoned(tokens * heads * headDim);
            using var dk = Poisoned(tokens * kvHeads * headDim);
            using var dv = Poisoned(tokens * kvHeads * headDim);
            Both((b, f, i) => b.AttentionBackward(f(dq), f(dk), f(dv), f(dOut), f(q), f(k), f(v), f(saved), i(starts), batchRows, T, heads, kvHeads, headDim, scale, probabilities));
            Compare($"AttentionBackward {name}", "qGrad", dq, matmul: true);
            Compare($"AttentionBackward {name}", "kGrad", dk, matmul: true);
            Compare($"AttentionBackward {name}", "vGrad", dv, matmul: true);
        }
        using var inference = Poisoned(tokens * heads * headDim);
        Both((b, f, i) => b.AttentionForward(f(inference), BufferView<float>.None, f(q), f(k), f(v), i(starts), batchRows, T, heads, kvHeads, headDim, scale, false));
        Compare($"AttentionForward ({shape}, nothing saved)", "output", inference, matmul: true);
    }

    private void CheckCachedAttention()
    {
        const int slots = 3, capacity = 300, heads = 4, kvHeads = 2, headDim = 16, kvDim = kvHeads * headDim;
        using var keys = Random((long)slots * capacity * kvDim);
        using var values = Random((long)slots * capacity * kvDim);
        int[] slot = [0, 2, 1, 2, 0];
        int[] position = [0, 5, 299, 270, 41];
        using var s = Ints(slot);
        using var p = Ints(position);
        using var k = Random((long)slot.Length * kvDim);
        using var v = Random((long)slot.Length * kvDim);
        Both((b, f, i) => b.KvCacheWrite(f(keys), f(values), f(k), f(v), i(s), i(p), slot.Length, kvDim, capacity));
        Compare("KvCacheWrite", "keyCache", keys);
        Compare("KvCacheWrite", "valueCache", values);
        using var q = Random((long)slot.Length * heads * headDim, 2f);
        foreach (int window in new[] { 0, 6, 1000 })
        {
            using var output = Poisoned((long)slot.Length * heads * headDim);
            Both((b, f, i) => b.CachedAttentionForward(f(output), f(q), f(keys), f(values), i(s), i(p), slot.Length, capacity, heads, kvHeads, headDim, 0.25f, window));
            Compare($"CachedAttentionForward (window {window})", "output", output);
        }
    }

    private void CheckGatedActivation()
    {
        const int n = 5003;
        using var gate = Random(n, 4f);
        using var up = Random(n);
        using var dy = Random(n);
        foreach (var activation in new[] { Activation.Silu, Activation.GeluTanh })
        {
            using var y = Poisoned(n);
            Both((b, f, _) => b.GatedActivationForward(f(y), f(gate), f(up), n, activation));
            Compare($"GatedActivationForward ({activation})", "output", y);
            using var dg = Poisoned(n);
            using var du = Poisoned(n);
            Both((b, f, _) => b.GatedActivationBackward(f(dg), f(du), f(dy), f(gate), f(up), n, activation));
            Compare($"GatedActivationBackward ({activation})", "gateGrad", dg);
            Compare($"GatedActivationBackward ({activation})", "upGrad", du);
        }
    }

    private void CheckCrossEntropy()
    {
        const int rows = 7, vocab = 5003;
        var logits = RandomValues((long)rows * vocab, 3f);
        var targets = RandomInts(rows, vocab);
        // Row 3: two equal maxima, target on the second (not the argmax); row 4: target is the unique maximum.
        logits[3 * vocab + 10] = 50f;
        logits[3 * vocab + 20] = 50f;
        targets[3] = 20;
        logits[4 * vocab + 77] = 40f;
        targets[4] = 77;
        using var x = Floats(logits);
        using var t = Ints(targets);
        using var nll = Poisoned(rows);
        using var lse = Poisoned(rows);
        using var isArgmax = Ints(Enumerable.Repeat(-7, rows).ToArray());
        Both((b, f, i) => b.CrossEntropyForward(f(nll), f(lse), i(isArgmax), f(x), i(t), rows, vocab));
        Compare("CrossEntropyForward", "nll", nll);
        Compare("CrossEntropyForward", "logSumExp", lse);
        CompareInts("CrossEntropyForward", "isArgmax", isArgmax);
        using var coefficients = Floats(RandomValues(rows).Select(Math.Abs).ToArray());
        Both((b, f, i) => b.CrossEntropyBackward(f(x), f(lse), i(t), f(coefficients), rows, vocab));
        Compare("CrossEntropyBackward", "dlogits (in place)", x);
    }

    private void CheckRows()
    {
        const int inputRows = 31, dim = 40;
        var indices = Enumerable.Range(0, inputRows).OrderBy(_ => _random.Next()).Take(12).ToArray();
        using var idx = Ints(indices);
        using var input = Random((long)inputRows * dim);
        using var gathered = Poisoned((long)indices.Length * dim);
        Both((b, f, i) => b.GatherRows(f(gathered), f(input), i(idx), indices.Length, dim));
        Compare("GatherRows", "output", gathered);
        using var target = Random((long)inputRows * dim);
        using var source = Random((long)indices.Length * dim);
        Both((b, f, i) => b.ScatterAddRows(f(target), f(source), i(idx), indices.Length, dim));
        Compare("ScatterAddRows", "output (+=)", target);
    }

    private void CheckDropout()
    {
        const int n = 10007;
        using var input = Random(n);
        using var output = Poisoned(n);
        using var mask = Poisoned(n);
        Both((b, f, _) => b.DropoutForward(f(output), f(mask), f(input), n, 0.3f, 12345UL));
        Compare("DropoutForward", "output", output);
        Compare("DropoutForward", "mask", mask);
    }

    private void CheckAdamW()
    {
        const int n = 10007;
        using var p = Random(n);
        using var g = Random(n);
        using var m = Random(n, 0.1f);
        using var v = Floats(RandomValues(n, 0.01f).Select(Math.Abs).ToArray());
        Both((b, f, _) => b.AdamWStep(f(p), f(g), f(m), f(v), 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, 0.5f));
        Compare("AdamWStep", "parameters", p);
        Compare("AdamWStep", "firstMoment", m);
        Compare("AdamWStep", "secondMoment", v);
    }
}
