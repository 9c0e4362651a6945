namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// Causal grouped-query attention over rows of packed tokens with materialised probabilities (llm.c style). Token t
/// attends keys keyStart[t]..t of its row; query head h reads kv head h / (heads / kvHeads), as Hugging Face's
/// repeat_kv. Forward runs one task per (row, head); backward one per (row, kv head) so that the k/v gradients of a
/// group are accumulated by a single task in a fixed order.
/// </summary>
internal static unsafe class Attention
{
    private struct Args
    {
        public float* Output, Probs, Q, K, V, QGrad, KGrad, VGrad, OutputGrad;
        public int* KeyStart;
        public int Rows, T, H, KV, D;
        public float Scale;
    }

    public static void Forward(CpuWorkers workers, float* output, float* probs, float* q, float* k, float* v, int* keyStart,
        int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale)
    {
        Validate(keyStart, batchRows, rowLength, heads, kvHeads);
        var a = new Args { Output = output, Probs = probs, Q = q, K = k, V = v, KeyStart = keyStart, Rows = batchRows, T = rowLength, H = heads, KV = kvHeads, D = headDim, Scale = scale };
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

    private static void ForwardBody(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int r = task / a.H, h = task % a.H, kvh = h / (a.H / a.KV);
        int d = a.D, T = a.T;
        float* scratch = a.Probs is null ? ThreadScratch.Get(T) : null;
        for (int t = 0; t < T; t++)
        {
            long token = (long)r * T + t;
            int ks = a.KeyStart[token];
            float* qv = a.Q + (token * a.H + h) * d;
            float* p = a.Probs is null ? scratch : a.Probs + (((long)r * a.H + h) * T + t) * T;
            float max = float.NegativeInfinity;
            for (int s = ks; s <= t; s++)
            {
                float score = VectorMath.Dot(qv, a.K + (((long)r * T + s) * a.KV + kvh) * d, d) * a.Scale;
                p[s] = score;
                if (score > max) max = score;
            }
            float sum = 0;
            for (int s = ks; s <= t; s++)
            {
                float e = MathF.Exp(p[s] - max);
                p[s] = e;
                sum += e;
            }
            float inv = 1f / sum;
            float* o = a.Output + (token * a.H + h) * d;
            VectorMath.Zero(o, d);
            for (int s = ks; s <= t; s++)
            {
                p[s] *= inv;
                VectorMath.Axpy(p[s], a.V + (((long)r * T + s) * a.KV + kvh) * d, o, d);
            }
        }
    }

    public static void Backward(CpuWorkers workers, float* qGrad, float* kGrad, float* vGrad, float* outputGrad, float* q, float* k, float* v,
        float* probs, int* keyStart, int batchRows, int rowLength, int heads, int kvHeads, int headDim, float scale)
    {
        Validate(keyStart, batchRows, rowLength, heads, kvHeads);
        var a = new Args
        {
            QGrad = qGrad, KGrad = kGrad, VGrad = vGrad, OutputGrad = outputGrad, Q = q, K = k, V = v, Probs = probs, KeyStart = keyStart,
            Rows = batchRows, T = rowLength, H = heads, KV = kvHeads, D = headDim, Scale = scale,
        };
        workers.Run(batchRows * kvHeads, &BackwardBody, &a);
    }

    private static void BackwardBody(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int r = task / a.KV, kvh = task % a.KV, group = a.H / a.KV;
        int d = a.D, T = a.T;
        for (int t = 0; t < T; t++)
        {
            long kvOffset = (((long)r * T + t) * a.KV + kvh) * d;
            VectorMath.Zero(a.KGrad + kvOffset, d);
            VectorMath.Zero(a.VGrad + kvOffset, d);
        }
        float* dp = ThreadScratch.Get(T);
        for (int h = kvh * group; h < (kvh + 1) * group; h++)
        {
            for (int t = 0; t < T; t++)
            {
                long token = (long)r * T + t;
                int ks = a.KeyStart[token];
                float* p = a.Probs + (((long)r * a.H + h) * T + t) * T;
                float* dout = a.OutputGrad + (token * a.H + h) * d;
                float* qv = a.Q + (token * a.H + h) * d;
                float* dq = a.QGrad + (token * a.H + h) * d;
                float weighted = 0;
                for (int s = ks; s <= t; s++)
                {
                    long kv = (((long)r * T + s) * a.KV + kvh) * d;
                    dp[s] = VectorMath.Dot(dout, a.V + kv, d);
                    VectorMath.Axpy(p[s], dout, a.VGrad + kv, d);
                    weighted += p[s] * dp[s];
                }
                VectorMath.Zero(dq, d);
                for (int s = ks; s <= t; s++)
                {
                    long kv = (((long)r * T + s) * a.KV + kvh) * d;
                    float ds = p[s] * (dp[s] - weighted) * a.Scale;
                    VectorMath.Axpy(ds, a.K + kv, dq, d);
                    VectorMath.Axpy(ds, qv, a.KGrad + kv, d);
                }
            }
        }
    }
}
