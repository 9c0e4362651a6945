using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// RMSNorm, y = x · rstd · (offset + w) with rstd = 1/√(mean(x²) + eps); offset 1 gives Gemma's (1 + w) norm. Also
/// used per head for Qwen3/Gemma 3 q/k norms (rows = tokens × heads).
/// </summary>
internal static unsafe class RmsNorm
{
    private struct Args
    {
        public float* Output, Rstd, Input, Weight, InputGrad, WeightGrad, OutputGrad, Partials;
        public int Rows, Dim;
        public float Eps, Offset;
        public bool Accumulate;
        public Partition Part;
    }

    public static void Forward(CpuWorkers workers, float* output, float* rstd, float* input, float* weight, int rows, int dim, float eps, float offset)
    {
        var a = new Args { Output = output, Rstd = rstd, Input = input, Weight = weight, Rows = rows, Dim = dim, Eps = eps, Offset = offset, Part = new Partition(rows, dim * 3) };
        workers.Run(a.Part.Chunks, &ForwardBody, &a);
    }

    private static void ForwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int d = a.Dim;
        var w = new ReadOnlySpan<float>(a.Weight, d);
        // Gemma's (1 + w) is formed once per chunk.
        Span<float> scale = a.Offset == 0f ? default : new Span<float>(ThreadScratch.Get(d), d);
        if (a.Offset != 0f) TensorPrimitives.Add(w, a.Offset, scale);
        var factor = a.Offset == 0f ? w : scale;
        for (long i = start; i < end; i++)
        {
            var x = new ReadOnlySpan<float>(a.Input + i * d, d);
            var y = new Span<float>(a.Output + i * d, d);
            float r = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(x) / d + a.Eps);
            a.Rstd[i] = r;
            TensorPrimitives.Multiply(x, r, y);
            TensorPrimitives.Multiply(y, factor, y);
        }
    }

    /// <summary>
    /// dx = r·(dy ∘ w') − x·r³/d·Σ(dy ∘ w' ∘ x); dw += Σ_rows dy ∘ x·r. The weight gradient is reduced through
    /// per-chunk partials summed in chunk order (deterministic).
    /// </summary>
    public static void Backward(CpuWorkers workers, float* inputGrad, float* weightGrad, float* outputGrad, float* input, float* weight,
        float* rstd, int rows, int dim, float offset, bool accumulate, float* partials, long partialCapacity)
    {
        var a = new Args
        {
            InputGrad = inputGrad, WeightGrad = weightGrad, OutputGrad = outputGrad, Input = input, Weight = weight, Rstd = rstd,
            Rows = rows, Dim = dim, Offset = offset, Accumulate = accumulate, Part = PartitionFor(rows, dim), Partials = partials,
        };
        if (weightGrad is not null && (long)a.Part.Chunks * dim > partialCapacity) throw new InvalidOperationException("RMSNorm scratch too small.");
        workers.Run(a.Part.Chunks, &BackwardBody, &a);
        if (weightGrad is null) return;
        for (int c = 0; c < a.Part.Chunks; c++)
        {
            var dw = new Span<float>(weightGrad, dim);
            TensorPrimitives.Add(dw, new ReadOnlySpan<float>(partials + (long)c * dim, dim), dw);
        }
    }

    /// <summary>The partition of the backward pass (its chunk count sizes the scratch).</summary>
    public static Partition PartitionFor(int rows, int dim) => new(rows, dim * 6, maxChunks: 64);

    private static void BackwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int d = a.Dim;
        float* scratch = ThreadScratch.Get(2L * d);
        var factor = new Span<float>(scratch, d);
        var g = new Span<float>(scratch + d, d);
        TensorPrimitives.Add(new ReadOnlySpan<float>(a.Weight, d), a.Offset, factor);
        var partial = a.WeightGrad is null ? default : new Span<float>(a.Partials + (long)chunk * d, d);
        partial.Clear();
        for (long i = start; i < end; i++)
        {
            var x = new ReadOnlySpan<float>(a.Input + i * d, d);
            var dy = new ReadOnlySpan<float>(a.OutputGrad + i * d, d);
            float r = a.Rstd[i];
            TensorPrimitives.Multiply(dy, factor, g);                      // g = dy ∘ w'
            float k = TensorPrimitives.Dot(g, x) * r * r * r / d;
            if (a.InputGrad is not null)
            {
                var dx = new Span<float>(a.InputGrad + i * d, d);
                if (a.Accumulate)
                {
                    TensorPrimitives.MultiplyAdd(g, r, dx, dx);                // dx += r·g
                    TensorPrimitives.MultiplyAdd(x, -k, dx, dx);               // dx −= k·x
                }
                else
                {
                    TensorPrimitives.Multiply(g, r, dx);
                    TensorPrimitives.MultiplyAdd(x, -k, dx, dx);
                }
            }
            if (!partial.IsEmpty)
            {
                TensorPrimitives.Multiply(dy, x, g);                        // g is free again: dy ∘ x
                TensorPrimitives.MultiplyAdd(g, r, partial, partial);       // partial += r · dy ∘ x
            }
        }
    }
}
