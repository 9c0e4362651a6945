using System.Collections.Concurrent;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// The ids of each pre-tokenized word already encoded, keyed on the word as the pre-tokenizer gives it (before the
/// byte-level mapping), so a repeated word costs one lookup: no mapping, no merging. Thread-safe; bounded in word
/// length and count (the Rust library caches the same way), after which words are encoded without caching.
/// </summary>
internal sealed class WordCache
{
    private const int MaxWordLength = 256;
    private const int Capacity = 200_000;

    private readonly ConcurrentDictionary<string, int[]> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private int _count;

    public WordCache() => _bySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool TryGet(ReadOnlySpan<char> word, out int[] ids) => _bySpan.TryGetValue(word, out ids!);

    public void Add(ReadOnlySpan<char> word, int[] ids)
    {
        if (word.Length <= MaxWordLength && Volatile.Read(ref _count) < Capacity && _ids.TryAdd(word.ToString(), ids))
            Interlocked.Increment(ref _count);
    }
}
