using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Row gathers (supervised positions → LM head input) and their scatter-add adjoint.</summary>
internal static unsafe class Rows
{
    private struct Args
    {
        public float* Output, Input;
        public int* Indices;
        public int Dim;
        public Partition Part;
    }

    public static void Gather(CpuWorkers workers, float* output, float* input, int* indices, int count, int dim, long inputRows)
    {
        Check(indices, count, inputRows);
        var a = new Args { Output = output, Input = input, Indices = indices, Dim = dim, Part = new Partition(count, dim) };
        workers.Run(a.Part.Chunks, &GatherBody, &a);
    }

    private static void Check(int* indices, int count, long rows)
    {
        for (int i = 0; i < count; i++)
        {
            if ((uint)indices[i] >= (ulong)rows) throw new ArgumentOutOfRangeException(nameof(indices), $"Row index {indices[i]} at {i} is outside {rows} rows.");
        }
    }

    private static void GatherBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        for (long i = start; i < end; i++)
        {
            new ReadOnlySpan<float>(a.Input + (long)a.Indices[i] * a.Dim, a.Dim).CopyTo(new Span<float>(a.Output + i * a.Dim, a.Dim));
        }
    }

    public static void ScatterAdd(CpuWorkers workers, float* output, float* input, int* indices, int count, int dim, long outputRows)
    {
        Check(indices, count, outputRows);
        var a = new Args { Output = output, Input = input, Indices = indices, Dim = dim, Part = new Partition(count, dim) };
        workers.Run(a.Part.Chunks, &ScatterBody, &a);
    }

    private static void ScatterBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        for (long i = start; i < end; i++)
        {
            var dst = new Span<float>(a.Output + (long)a.Indices[i] * a.Dim, a.Dim);
            TensorPrimitives.Add(dst, new ReadOnlySpan<float>(a.Input + i * a.Dim, a.Dim), dst);
        }
    }
}
