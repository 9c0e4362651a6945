namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Inverted dropout with a counter-based mask: element i's keep decision is a hash of (seed, i).</summary>
internal static unsafe class Dropout
{
    private struct Args
    {
        public float* Output, Mask, Input;
        public float Probability, KeepScale;
        public ulong Seed;
        public Partition Part;
    }

    public static void Forward(CpuWorkers workers, float* output, float* mask, float* input, long count, float probability, ulong seed)
    {
        if (probability is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(probability), "Dropout probability must lie in [0, 1).");
        var a = new Args { Output = output, Mask = mask, Input = input, Probability = probability, KeepScale = 1f / (1f - probability), Seed = seed, Part = new Partition(count, 4) };
        workers.Run(a.Part.Chunks, &Body, &a);
    }

    /// <summary>A uniform float in [0, 1) from (seed, index) (SplitMix64 finaliser).</summary>
    public static float Uniform(ulong seed, long index)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (ulong)(index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1f / (1 << 24));
    }

    private static void Body(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        for (long i = start; i < end; i++)
        {
            float m = Uniform(a.Seed, i) < a.Probability ? 0f : a.KeepScale;
            a.Mask[i] = m;
            a.Output[i] = a.Input[i] * m;
        }
    }
}
