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

    public static void Forward(CpuWorkers workers, float* output, float* q, float* keyCache, float* valueCache, int* slots, int* positions,
        int rows, int capacity, int heads, int kvHeads, int headDim, float scale, int window)
    {
        var a = new Args
        {
            Output = output, Q = q, KCache = keyCache, VCache = valueCache, Slots = slots, Positions = positions, Rows = rows,
            Capacity = capacity, H = heads, KV = kvHeads, D = headDim, Scale = scale, Window = window,
        };
        workers.Run(rows * heads, &Body, &a);
    }

    private static void Body(void* state, int task)
    {
        ref Args a = ref *(Args*)state;
        int i = task / a.H, h = task % a.H, kvh = h / (a.H / a.KV), d = a.D;
        int pos = a.Positions[i];
        int first = a.Window > 0 ? Math.Max(0, pos - a.Window + 1) : 0;
        long slotBase = (long)a.Slots[i] * a.Capacity;
        float* p = ThreadScratch.Get(pos + 1);
        float* qv = a.Q + ((long)i * a.H + h) * d;
        float max = float.NegativeInfinity;
        for (int s = first; s <= pos; s++)
        {
            float score = VectorMath.Dot(qv, a.KCache + ((slotBase + s) * a.KV + kvh) * d, d) * a.Scale;
            p[s] = score;
            if (score > max) max = score;
        }
        float inv = 1f / VectorMath.SumExpShifted(p + first, pos - first + 1, max, store: true);
        float* o = a.Output + ((long)i * a.H + h) * d;
        VectorMath.Zero(o, d);
        for (int s = first; s <= pos; s++) VectorMath.Axpy(p[s] * inv, a.VCache + ((slotBase + s) * a.KV + kvh) * d, o, d);
    }
}
