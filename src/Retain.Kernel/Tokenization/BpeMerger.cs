namespace Retain.Kernel.Tokenization;

/// <summary>
/// Applies ranked merges to a word's symbols exactly as <c>Word::merge_all</c> in the Rust library
/// (<c>models/bpe/word.rs</c>): a priority queue ordered by (rank, position), stale entries skipped, each merge
/// pushing the new pairs it forms with its neighbours. An entry is stale when its left symbol was absorbed, has no
/// right neighbour any more, or the pair at its position now merges differently (a different rank: every rank
/// belongs to exactly one pair, so this is the Rust check on the merged id).
/// </summary>
internal static class BpeMerger
{
    [ThreadStatic] private static Scratch? _scratch;

    public static int[] MergeAll(List<int> initial, MergeTable merges)
    {
        var count = initial.Count;
        if (count < 2) return initial.ToArray();
        var s = _scratch ??= new Scratch();
        s.Ensure(count);
        var ids = s.Ids;
        var prev = s.Prev;
        var next = s.Next;
        var heap = s.Heap;
        var heapCount = 0;
        for (var i = 0; i < count; i++)
        {
            ids[i] = initial[i];
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        for (var i = 0; i + 1 < count; i++)
        {
            if (merges.TryGet(ids[i], ids[i + 1], out var rank, out _)) Push(heap, ref heapCount, Entry(rank, i));
        }

        var remaining = count;
        while (heapCount > 0)
        {
            var top = Pop(heap, ref heapCount);
            var position = (int)(top & 0xFFFFFFFF);
            var rank = (int)(top >> 32);
            var right = next[position];
            if (ids[position] < 0 || right < 0) continue;
            if (!merges.TryGet(ids[position], ids[right], out var currentRank, out var newId) || currentRank != rank) continue;

            ids[position] = newId;
            ids[right] = -1; // absorbed
            remaining--;
            var after = next[right];
            next[position] = after;
            if (after >= 0) prev[after] = position;

            var before = prev[position];
            if (before >= 0 && merges.TryGet(ids[before], newId, out var leftRank, out _))
                Push(heap, ref heapCount, Entry(leftRank, before));
            if (after >= 0 && merges.TryGet(newId, ids[after], out var rightRank, out _))
                Push(heap, ref heapCount, Entry(rightRank, position));
        }

        var result = new int[remaining];
        var k = 0;
        for (var i = 0; i >= 0; i = next[i]) result[k++] = ids[i];
        return result;
    }

    /// <summary>(rank, position) packed so that numeric order is the queue order.</summary>
    private static long Entry(int rank, int position) => ((long)rank << 32) | (uint)position;

    private static void Push(long[] heap, ref int count, long value)
    {
        var i = count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (heap[parent] <= value) break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
    }

    private static long Pop(long[] heap, ref int count)
    {
        var top = heap[0];
        var last = heap[--count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= count) break;
            if (child + 1 < count && heap[child + 1] < heap[child]) child++;
            if (heap[child] >= last) break;
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = last;
        return top;
    }

    /// <summary>Per-thread working arrays, grown as needed, so merging allocates only its result.</summary>
    private sealed class Scratch
    {
        public int[] Ids = [], Prev = [], Next = [];
        public long[] Heap = [];

        public void Ensure(int count)
        {
            if (Ids.Length >= count) return;
            var size = Math.Max(count, 256);
            Ids = new int[size];
            Prev = new int[size];
            Next = new int[size];
            // Each merge pushes at most two entries on top of the initial count - 1.
            Heap = new long[3 * size];
        }
    }
}
