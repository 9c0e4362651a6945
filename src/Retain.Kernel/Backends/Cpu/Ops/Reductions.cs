using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// Sums in double over fixed 64 Ki-element chunks combined in chunk order: the same bits for any thread count.
/// </summary>
internal static unsafe class Reductions
{
    private const long ChunkSize = 1 << 16;
    private const int SubBlock = 4096;

    private struct Args
    {
        public float* A, B;
        public double* Partials;
        public long Count;
    }

    /// <summary>Σ a² (b null) or Σ (a − b)².</summary>
    public static double SumOfSquares(CpuWorkers workers, long count, float* a, float* b, double* partials, int partialCapacity)
    {
        if (count == 0) return 0;
        int chunks = (int)((count + ChunkSize - 1) / ChunkSize);
        if (chunks > partialCapacity) throw new InvalidOperationException("Reduction scratch too small.");
        var args = new Args { A = a, B = b, Partials = partials, Count = count };
        workers.Run(chunks, &Body, &args);
        double total = 0;
        for (int i = 0; i < chunks; i++) total += partials[i];
        return total;
    }

    /// <summary>Partials needed for <paramref name="count"/> elements.</summary>
    public static int PartialCount(long count) => (int)((count + ChunkSize - 1) / ChunkSize);

    private static void Body(void* state, int chunk)
    {
        ref Args x = ref *(Args*)state;
        long start = chunk * ChunkSize, end = Math.Min(x.Count, start + ChunkSize);
        double sum = 0;
        float* diff = stackalloc float[SubBlock];
        for (long i = start; i < end; i += SubBlock)
        {
            int n = (int)Math.Min(SubBlock, end - i);
            var a = new ReadOnlySpan<float>(x.A + i, n);
            if (x.B is null)
            {
                sum += TensorPrimitives.SumOfSquares(a);
            }
            else
            {
                var d = new Span<float>(diff, n);
                TensorPrimitives.Subtract(a, new ReadOnlySpan<float>(x.B + i, n), d);
                sum += TensorPrimitives.SumOfSquares((ReadOnlySpan<float>)d);
            }
        }
        x.Partials[chunk] = sum;
    }
}
