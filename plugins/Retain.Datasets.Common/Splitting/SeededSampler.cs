namespace Retain.Datasets.Splitting;

/// <summary>
/// Streams rows and keeps the <c>capacity</c> best-ranked ones by <see cref="StableHash.Of"/>(seed, key), ties by
/// position, in O(capacity) memory: the same choice <see cref="SeededSplit.Sample{T}"/> makes on a list.
/// </summary>
public sealed class SeededSampler(int seed, int capacity)
{
    private readonly PriorityQueue<long, (ulong Hash, long Position)> _kept = new(Comparer<(ulong Hash, long Position)>.Create((a, b) => b.CompareTo(a)));
    private readonly Dictionary<long, ulong> _hashes = [];

    /// <summary>Rows offered so far.</summary>
    public long Offered { get; private set; }

    /// <summary>Offers the row at <paramref name="position"/> (unique per row) with its key.</summary>
    public void Offer(string key, long position)
    {
        Offered++;
        if (capacity == 0) return;
        var rank = (StableHash.Of(seed, key), position);
        if (_kept.Count < capacity)
        {
            _kept.Enqueue(position, rank);
            _hashes[position] = rank.Item1;
            return;
        }
        _kept.TryPeek(out long worst, out var worstRank);
        if (rank.CompareTo(worstRank) >= 0) return;
        _kept.DequeueEnqueue(position, rank);
        _hashes.Remove(worst);
        _hashes[position] = rank.Item1;
    }

    /// <summary>The kept positions, best-ranked first.</summary>
    public IReadOnlyList<long> Ranked() => _hashes.OrderBy(p => p.Value).ThenBy(p => p.Key).Select(p => p.Key).ToList();
}
