using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Token embedding lookup (with Gemma's √hidden scale) and its scatter-add backward.</summary>
internal static unsafe class Embedding
{
    private struct Args
    {
        public float* Output, Table;
        public int* Ids;
        public int Rows, Dim, Vocab;
        public float Scale;
        public Partition Part;
    }

    /// <summary>output[i] = scale · table[ids[i]].</summary>
    public static void Forward(CpuWorkers workers, float* output, float* table, int* ids, int rows, int dim, int vocab, float scale)
    {
        for (int i = 0; i < rows; i++)
        {
            if ((uint)ids[i] >= (uint)vocab) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {ids[i]} at row {i} is outside the vocabulary of {vocab}.");
        }
        var args = new Args { Output = output, Table = table, Ids = ids, Rows = rows, Dim = dim, Scale = scale, Part = new Partition(rows, dim) };
        workers.Run(args.Part.Chunks, &ForwardBody, &args);
    }

    private static void ForwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        for (long i = start; i < end; i++)
        {
            var src = new ReadOnlySpan<float>(a.Table + (long)a.Ids[i] * a.Dim, a.Dim);
            var dst = new Span<float>(a.Output + i * a.Dim, a.Dim);
            if (a.Scale == 1f) src.CopyTo(dst);
            else TensorPrimitives.Multiply(src, a.Scale, dst);
        }
    }

    /// <summary>
    /// tableGrad[ids[i]] += scale · outputGrad[i]. Chunks own disjoint vocabulary ranges and visit rows in order, so
    /// every table row receives its additions in the same order whatever the partition.
    /// </summary>
    public static void Backward(CpuWorkers workers, float* tableGrad, float* outputGrad, int* ids, int rows, int dim, int vocab, float scale)
    {
        var args = new Args { Output = outputGrad, Table = tableGrad, Ids = ids, Rows = rows, Dim = dim, Vocab = vocab, Scale = scale };
        int chunks = (int)Math.Clamp((long)rows * dim / Partition.DefaultGrain, 1, 16);
        args.Part = new Partition(vocab, 1, (vocab + chunks - 1) / chunks);
        workers.Run(args.Part.Chunks, &BackwardBody, &args);
    }

    private static void BackwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (v0, v1) = a.Part.Range(chunk);
        for (int i = 0; i < a.Rows; i++)
        {
            int id = a.Ids[i];
            if (id < v0 || id >= v1) continue;
            var src = new ReadOnlySpan<float>(a.Output + (long)i * a.Dim, a.Dim);
            var dst = new Span<float>(a.Table + (long)id * a.Dim, a.Dim);
            if (a.Scale == 1f) TensorPrimitives.Add(dst, src, dst);
            else TensorPrimitives.MultiplyAdd(src, a.Scale, dst, dst);
        }
    }
}
