namespace Retain.Kernel.Tokenization;

/// <summary>
/// Applies ranked merges to a word's symbols exactly as <c>Word::merge_all</c> in the Rust library
/// (<c>models/bpe/word.rs</c>): a priority queue ordered by (rank, position), stale entries skipped, each merge
/// pushing the new pairs it forms with its neighbours.
/// </summary>
internal static class BpeMerger
{
    public static int[] MergeAll(List<int> initial, Dictionary<long, BpeModel.Merge> merges)
    {
        var count = initial.Count;
        if (count < 2) return initial.ToArray();
        var ids = initial.ToArray();
        var prev = new int[count];
        var next = new int[count];
        var alive = new bool[count];
        for (var i = 0; i < count; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            alive[i] = true;
        }

        var queue = new PriorityQueue<(int Position, int NewId), long>(count);
        for (var i = 0; i + 1 < count; i++)
        {
            if (merges.TryGetValue(BpeModel.Key(ids[i], ids[i + 1]), out var m)) queue.Enqueue((i, m.NewId), Priority(m.Rank, i));
        }

        var remaining = count;
        while (queue.TryDequeue(out var top, out _))
        {
            var position = top.Position;
            if (!alive[position] || next[position] < 0) continue;
            var right = next[position];
            if (!merges.TryGetValue(BpeModel.Key(ids[position], ids[right]), out var current) || current.NewId != top.NewId) continue;

            ids[position] = top.NewId;
            alive[right] = false;
            remaining--;
            next[position] = next[right];
            if (next[right] >= 0) prev[next[right]] = position;

            if (prev[position] >= 0 && merges.TryGetValue(BpeModel.Key(ids[prev[position]], ids[position]), out var left))
                queue.Enqueue((prev[position], left.NewId), Priority(left.Rank, prev[position]));
            if (next[position] >= 0 && merges.TryGetValue(BpeModel.Key(ids[position], ids[next[position]]), out var after))
                queue.Enqueue((position, after.NewId), Priority(after.Rank, position));
        }

        var result = new int[remaining];
        var k = 0;
        for (var i = 0; i >= 0; i = next[i]) result[k++] = ids[i];
        return result;
    }

    private static long Priority(int rank, int position) => ((long)rank << 32) | (uint)position;
}
