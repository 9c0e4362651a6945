namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// Rotary position embedding in Hugging Face's rotate-half layout: for i &lt; D/2, (x_i, x_{i+D/2}) is rotated by
/// angle position·θ_i. The backward is the inverse rotation (the transpose).
/// </summary>
internal static unsafe class Rope
{
    private struct Args
    {
        public float* X, Cos, Sin;
        public int* Positions;
        public int Heads, HeadDim, MaxPosition;
        public float Direction;
        public Partition Part;
    }

    public static void Apply(CpuWorkers workers, float* x, float* cos, float* sin, int* positions, int rows, int heads, int headDim, int maxPosition, bool inverse)
    {
        for (int i = 0; i < rows; i++)
        {
            if ((uint)positions[i] >= (uint)maxPosition) throw new ArgumentOutOfRangeException(nameof(positions), $"Position {positions[i]} at row {i} is outside the rotary table of {maxPosition} positions.");
        }
        var a = new Args
        {
            X = x, Cos = cos, Sin = sin, Positions = positions, Heads = heads, HeadDim = headDim, MaxPosition = maxPosition,
            Direction = inverse ? -1f : 1f, Part = new Partition(rows, heads * headDim * 2),
        };
        workers.Run(a.Part.Chunks, &Body, &a);
    }

    private static void Body(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int half = a.HeadDim / 2;
        for (long i = start; i < end; i++)
        {
            float* c = a.Cos + (long)a.Positions[i] * half;
            float* s = a.Sin + (long)a.Positions[i] * half;
            for (int h = 0; h < a.Heads; h++)
            {
                float* v = a.X + (i * a.Heads + h) * a.HeadDim;
                for (int j = 0; j < half; j++)
                {
                    float x1 = v[j], x2 = v[j + half];
                    float sn = a.Direction * s[j];
                    v[j] = x1 * c[j] - x2 * sn;
                    v[j + half] = x2 * c[j] + x1 * sn;
                }
            }
        }
    }
}
