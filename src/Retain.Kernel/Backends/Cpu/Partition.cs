namespace Retain.Kernel.Backends.Cpu;

/// <summary>
/// How an op cuts its items into chunks: enough work per chunk to amortise the hand-off to a worker, and boundaries
/// that depend only on the problem size (never on the thread count), so reductions combine the same partials.
/// </summary>
internal readonly struct Partition
{
    /// <summary>Target work per chunk, in elementary operations (a few microseconds).</summary>
    public const long DefaultGrain = 32_768;

    public Partition(long items, long costPerItem, long grain = DefaultGrain, int maxChunks = 256)
    {
        if (items <= 0)
        {
            Chunks = 0;
            PerChunk = 1;
            Items = 0;
            return;
        }
        long perChunk = Math.Max(1, grain / Math.Max(1, costPerItem));
        long chunks = (items + perChunk - 1) / perChunk;
        if (chunks > maxChunks)
        {
            chunks = maxChunks;
            perChunk = (items + chunks - 1) / chunks;
            chunks = (items + perChunk - 1) / perChunk;
        }
        Chunks = (int)chunks;
        PerChunk = perChunk;
        Items = items;
    }

    /// <summary>Number of chunks.</summary>
    public int Chunks { get; }

    /// <summary>Items per chunk (the last may have fewer).</summary>
    public long PerChunk { get; }

    /// <summary>Total items.</summary>
    public long Items { get; }

    /// <summary>The item range of a chunk.</summary>
    public (long Start, long End) Range(int chunk) => (chunk * PerChunk, Math.Min(Items, (chunk + 1) * PerChunk));
}
