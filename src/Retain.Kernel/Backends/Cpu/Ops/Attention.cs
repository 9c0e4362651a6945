using System.Numerics.Tensors;
using Retain.Kernel.Backends.Cpu.Gemm;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// Causal grouped-query attention over rows of packed tokens with materialised probabilities (llm.c style). Token t
/// attends keys keyStart[t]..t of its row; query head h reads kv head h / (heads / kvHeads), as Hugging Face's
/// repeat_kv. Queries go in blocks of 64; each block multiplies only against the key range its tokens can see
/// (so causality, packing boundaries and sliding windows skip work) with single-threaded GEMMs, and the masked softmax
/// runs per row. The forward keeps either the probabilities or, when they would be too large, each row's log-sum-exp,
/// from which the backward recomputes a block's probabilities with one more GEMM. Forward runs one task per (row, head); backward one per (row, kv head), so the k/v gradients of a
/// group are accumulated by a single task in a fixed order.
/// </summary>
internal static unsafe class Attention
{
    private const int QueryBlock = 64;

    private struct Args
    {
        public float* Output, Saved, Q, K, V, QGrad, KGrad, VGrad, OutputGrad;
        public bool Probabilities;
        public int* KeyStart;
        public int Rows, T, H, KV, D;
        public float Scale;
        public SequentialGemm Gemm;
    }

    public static void Forward(CpuWorkers workers, SequentialGemm gemm, float* output, float* saved, bool probabilities, float* q, float* k, float* v,
        int* keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale)
    {
        Validate(keyStart, batchRows, rowLength, heads, kvHeads);
        var a = new Args
        {
            Output = output, Saved = saved, Probabilities = probabilities, Q = q, K = k, V = v, KeyStart = keyStart, Rows = batchRows, T = rowLength, H = heads, KV = kvHeads,
            D = headDim, Scale = scale, Gemm = gemm,
        };
        workers.Run(batchRows * heads, &ForwardBody, &a);
    }

    private static void Validate(int* keyStart, int rows, int t, int heads, int kvHeads)
    {
        if (kvHeads <= 0 || heads % kvHeads != 0) throw new ArgumentException($"{heads} query heads cannot be grouped over {kvHeads} key/value heads.");
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < t; i++)
            {
                int s = keyStart[r * t + i];
                if (s < 0 || s > i) throw new ArgumentOutOfRangeException(nameof(keyStart), $"Key start {s} of token {i} in row {r} must lie in [0, {i}].");
            }
        }
    }

    /// <summary>The first key any query of block [t0, t1) of row r may see.</summary>
    private static int FirstKey(int* keyStart, int r, int T, int t0, int t1)
    {
        int first = t1;
        for (int t = t0; t < t1; t++) first = Math.Min(first, keyStart[r * T + t]);
        return first;
    }

    private static void ForwardBody(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int r = task / a.H, h = task % a.H, kvh = h / (a.H / a.KV);
        int d = a.D, T = a.T, hd = a.H * d, kvd = a.KV * d;
        float* qh = a.Q + ((long)r * T * a.H + h) * d;
        float* kh = a.K + ((long)r * T * a.KV + kvh) * d;
        float* vh = a.V + ((long)r * T * a.KV + kvh) * d;
        float* oh = a.Output + ((long)r * T * a.H + h) * d;
        bool keepProbabilities = a.Saved is not null && a.Probabilities;
        float* scratch = keepProbabilities ? null : ThreadScratch.Get((long)QueryBlock * T);
        float* lse = a.Saved is not null && !a.Probabilities ? a.Saved + ((long)r * a.H + h) * T : null;
        for (int t0 = 0; t0 < T; t0 += QueryBlock)
        {
            int t1 = Math.Min(T, t0 + QueryBlock), rows = t1 - t0;
            int first = FirstKey(a.KeyStart, r, T, t0, t1), width = t1 - first;
            float* s;
            int lds;
            if (keepProbabilities)
            {
                s = a.Saved + (((long)r * a.H + h) * T + t0) * T + first;
                lds = T;
            }
            else
            {
                s = scratch;
                lds = width;
            }
            a.Gemm.Gemm(false, true, rows, width, d, a.Scale, qh + (long)t0 * hd, hd, kh + (long)first * kvd, kvd, 0f, s, lds);
            for (int i = 0; i < rows; i++)
            {
                int t = t0 + i, ks = a.KeyStart[r * T + t];
                float* row = s + (long)i * lds;
                new Span<float>(row, ks - first).Clear();
                new Span<float>(row + (t - first + 1), t1 - 1 - t).Clear();
                float logSumExp = VectorMath.SoftmaxInPlace(row + (ks - first), t - ks + 1);
                if (lse is not null) lse[t] = logSumExp;
            }
            a.Gemm.Gemm(false, false, rows, d, width, 1f, s, lds, vh + (long)first * kvd, kvd, 0f, oh + (long)t0 * hd, hd);
        }
    }

    public static void Backward(CpuWorkers workers, SequentialGemm gemm, float* qGrad, float* kGrad, float* vGrad, float* outputGrad, float* q, float* k,
        float* v, float* saved, bool probabilities, int* keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale)
    {
        Validate(keyStart, batchRows, rowLength, heads, kvHeads);
        var a = new Args
        {
            QGrad = qGrad, KGrad = kGrad, VGrad = vGrad, OutputGrad = outputGrad, Q = q, K = k, V = v, Saved = saved, Probabilities = probabilities, KeyStart = keyStart,
            Rows = batchRows, T = rowLength, H = heads, KV = kvHeads, D = headDim, Scale = scale, Gemm = gemm,
        };
        workers.Run(batchRows * kvHeads, &BackwardBody, &a);
    }

    private static void BackwardBody(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int r = task / a.KV, kvh = task % a.KV, group = a.H / a.KV;
        int d = a.D, T = a.T, hd = a.H * d, kvd = a.KV * d;
        float* kh = a.K + ((long)r * T * a.KV + kvh) * d;
        float* vh = a.V + ((long)r * T * a.KV + kvh) * d;
        float* dkh = a.KGrad + ((long)r * T * a.KV + kvh) * d;
        float* dvh = a.VGrad + ((long)r * T * a.KV + kvh) * d;
        for (int t = 0; t < T; t++)
        {
            new Span<float>(dkh + (long)t * kvd, d).Clear();
            new Span<float>(dvh + (long)t * kvd, d).Clear();
        }
        float* ds = ThreadScratch.Get(2L * QueryBlock * T);
        float* recomputed = ds + (long)QueryBlock * T;
        for (int h = kvh * group; h < (kvh + 1) * group; h++)
        {
            float* qh = a.Q + ((long)r * T * a.H + h) * d;
            float* dqh = a.QGrad + ((long)r * T * a.H + h) * d;
            float* doh = a.OutputGrad + ((long)r * T * a.H + h) * d;
            for (int t0 = 0; t0 < T; t0 += QueryBlock)
            {
                int t1 = Math.Min(T, t0 + QueryBlock), rows = t1 - t0;
                int first = FirstKey(a.KeyStart, r, T, t0, t1), width = t1 - first;
                float* p;
                int ldp;
                if (a.Probabilities)
                {
                    p = a.Saved + (((long)r * a.H + h) * T + t0) * T + first;
                    ldp = T;
                }
                else
                {
                    // P = exp(scale·Q·Kᵀ − lse) over each row's keys, zero elsewhere.
                    p = recomputed;
                    ldp = width;
                    float* lse = a.Saved + ((long)r * a.H + h) * T;
                    a.Gemm.Gemm(false, true, rows, width, d, a.Scale, qh + (long)t0 * hd, hd, kh + (long)first * kvd, kvd, 0f, p, ldp);
                    for (int i = 0; i < rows; i++)
                    {
                        int t = t0 + i, ks = a.KeyStart[r * T + t];
                        float* row = p + (long)i * ldp;
                        new Span<float>(row, ks - first).Clear();
                        new Span<float>(row + (t - first + 1), t1 - 1 - t).Clear();
                        VectorMath.SumExpShifted(row + (ks - first), t - ks + 1, lse[t], store: true);
                    }
                }
                // dP = dO·Vᵀ, then dS = P ∘ (dP − rowsum(P ∘ dP)) · scale (P is zero outside each row's keys).
                a.Gemm.Gemm(false, true, rows, width, d, 1f, doh + (long)t0 * hd, hd, vh + (long)first * kvd, kvd, 0f, ds, width);
                for (int i = 0; i < rows; i++)
                {
                    var pRow = new ReadOnlySpan<float>(p + (long)i * ldp, width);
                    var dsRow = new Span<float>(ds + (long)i * width, width);
                    float weighted = TensorPrimitives.Dot(pRow, dsRow);
                    TensorPrimitives.Subtract(dsRow, weighted, dsRow);
                    TensorPrimitives.Multiply(dsRow, pRow, dsRow);
                    TensorPrimitives.Multiply(dsRow, a.Scale, dsRow);
                }
                a.Gemm.Gemm(true, false, width, d, rows, 1f, p, ldp, doh + (long)t0 * hd, hd, 1f, dvh + (long)first * kvd, kvd);
                a.Gemm.Gemm(false, false, rows, d, width, 1f, ds, width, kh + (long)first * kvd, kvd, 0f, dqh + (long)t0 * hd, hd);
                a.Gemm.Gemm(true, false, width, d, rows, 1f, ds, width, qh + (long)t0 * hd, hd, 1f, dkh + (long)first * kvd, kvd);
            }
        }
    }
}
