namespace Retain.Kernel.Tokenization;

/// <summary>
/// The ranked merges as an open-addressing hash table from a (left id, right id) pair to (rank, merged id). BPE
/// looks a pair up for every symbol boundary, so this is the hottest structure of encoding; a flat table with a
/// multiplicative hash beats <see cref="Dictionary{TKey,TValue}"/> on <c>long</c> keys, whose hash (the xor of the
/// two halves) collides for many id pairs.
/// </summary>
internal sealed class MergeTable
{
    private const long Empty = -1;

    private readonly long[] _keys;
    private readonly int[] _ranks;
    private readonly int[] _newIds;
    private readonly int _mask;

    public MergeTable(int capacity)
    {
        var size = 16;
        while (size < capacity * 2) size <<= 1;
        _keys = new long[size];
        Array.Fill(_keys, Empty);
        _ranks = new int[size];
        _newIds = new int[size];
        _mask = size - 1;
    }

    public int Count { get; private set; }

    /// <summary>Adds or replaces the merge of <paramref name="left"/> and <paramref name="right"/>.</summary>
    public void Set(int left, int right, int rank, int newId)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (_keys[slot] != Empty && _keys[slot] != key) slot = (slot + 1) & _mask;
        if (_keys[slot] == Empty)
        {
            if (Count * 2 >= _keys.Length) throw new InvalidOperationException("merge table capacity exceeded");
            Count++;
        }
        _keys[slot] = key;
        _ranks[slot] = rank;
        _newIds[slot] = newId;
    }

    /// <summary>The rank and merged id of a pair; false when the pair does not merge.</summary>
    public bool TryGet(int left, int right, out int rank, out int newId)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (true)
        {
            var k = _keys[slot];
            if (k == key)
            {
                rank = _ranks[slot];
                newId = _newIds[slot];
                return true;
            }
            if (k == Empty)
            {
                rank = newId = 0;
                return false;
            }
            slot = (slot + 1) & _mask;
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private int Slot(long key) => (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15UL)) >> 32) & _mask;
}
