using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Attention of new query rows against a KV cache (prefill and token-by-token decoding), forward only.</summary>
internal static unsafe class CachedAttention
{
    private struct Args
    {
        public float* Output, Q, KCache, VCache, K, V;
        public int* Slots, Positions;
        public int Rows, Capacity, H, KV, D, Window;
        public float Scale;
        public Gemm.SequentialGemm Gemm;
    }

    /// <summary>Copies each row's k and v into its (slot, position) of the caches.</summary>
    public static void Write(float* keyCache, float* valueCache, float* k, float* v, int* slots, int* positions, int rows, int kvDim, int capacity, int slotCount)
    {
        for (int i = 0; i < rows; i++)
        {
            if ((uint)slots[i] >= (uint)slotCount || (uint)positions[i] >= (uint)capacity)
            {
                throw new ArgumentOutOfRangeException(nameof(positions), $"Row {i} writes slot {slots[i]} position {positions[i]} outside a cache of {slotCount} slots × {capacity} positions.");
            }
            long dst = ((long)slots[i] * capacity + positions[i]) * kvDim;
            new ReadOnlySpan<float>(k + (long)i * kvDim, kvDim).CopyTo(new Span<float>(keyCache + dst, kvDim));
            new ReadOnlySpan<float>(v + (long)i * kvDim, kvDim).CopyTo(new Span<float>(valueCache + dst, kvDim));
        }
    }

    public static void Forward(CpuWorkers workers, Gemm.SequentialGemm gemm, float* output, float* q, float* keyCache, float* valueCache, int* slots, int* positions,
        int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window)
    {
        var a = new Args
        {
            Output = output, Q = q, KCache = keyCache, VCache = valueCache, Slots = slots, Positions = positions, Rows = rows,
            Capacity = capacity, H = heads, KV = kvHeads, D = headDim, Scale = scale, Window = window, Gemm = gemm,
        };
        workers.Run(rows * heads, &Body, &a);
    }

    private static void Body(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int i = task / a.H, h = task % a.H, kvh = h / (a.H / a.KV), d = a.D, kvd = a.KV * d;
        int pos = a.Positions[i];
        int first = a.Window > 0 ? Math.Max(0, pos - a.Window + 1) : 0, length = pos - first + 1;
        long slotBase = (long)a.Slots[i] * a.Capacity;
        float* keys = a.KCache + (slotBase + first) * kvd + (long)kvh * d;
        float* values = a.VCache + (slotBase + first) * kvd + (long)kvh * d;
        float* p = ThreadScratch.Get(length);
        // scores = scale·q·Kᵀ and output = softmax·V over the slot's visible positions, as two GEMV-shaped GEMMs.
        a.Gemm.Gemm(false, true, 1, length, d, a.Scale, a.Q + ((long)i * a.H + h) * d, d, keys, kvd, 0f, p, length);
        VectorMath.SoftmaxInPlace(p, length);
        a.Gemm.Gemm(false, false, 1, d, length, 1f, p, length, values, kvd, 0f, a.Output + ((long)i * a.H + h) * d, d);
    }
}
