namespace Retain.Kernel.Backends.Cuda.Memory;

/// <summary>
/// Index errors kernels find on the device (an id outside the vocabulary, a position outside the rotary table, ...).
/// The first one is recorded in a small device word (code, a, b, c, d; codes as in common.cuh) and turned into the
/// same <see cref="ArgumentOutOfRangeException"/> the CPU backend throws, at the next synchronisation point.
/// </summary>
internal static class DeviceErrors
{
    /// <summary>Ints in the error word.</summary>
    public const int WordLength = 8;

    public const int TokenId = 1;
    public const int Position = 2;
    public const int Target = 3;
    public const int RowIndex = 4;
    public const int CacheSlot = 5;
    public const int KeyStart = 6;

    /// <summary>The exception for a recorded error word (null when it holds none).</summary>
    public static ArgumentOutOfRangeException? ToException(ReadOnlySpan<int> word)
    {
        int a = word[1], b = word[2], c = word[3], d = word[4];
        return word[0] switch
        {
            0 => null,
            TokenId => new ArgumentOutOfRangeException("ids", $"Token id {b} at row {a} is outside the vocabulary of {c}."),
            Position => new ArgumentOutOfRangeException("positions", $"Position {b} at row {a} is outside the rotary table of {c} positions."),
            Target => new ArgumentOutOfRangeException("targets", $"Target {b} at row {a} is outside the vocabulary of {c}."),
            RowIndex => new ArgumentOutOfRangeException("indices", $"Row index {b} at {a} is outside {c} rows."),
            CacheSlot => new ArgumentOutOfRangeException("positions", $"Row {a} uses slot {b} position {c} outside a cache of {d} slots."),
            KeyStart => new ArgumentOutOfRangeException("keyStart", $"Key start {c} of token {b} in row {a} must lie in [0, {b}]."),
            var code => new ArgumentOutOfRangeException(null, $"A CUDA kernel reported index error {code} ({a}, {b}, {c}, {d})."),
        };
    }
}
