namespace Retain.Kernel.Tokenization;

/// <summary>
/// A stretch of (normalized) text on its way to the model: a slice of a string, and whether it starts at the very
/// beginning of the input (Metaspace's <c>prepend_scheme: first</c> depends on that).
/// </summary>
internal readonly record struct Piece(ReadOnlyMemory<char> Text, bool IsFirst)
{
    public ReadOnlySpan<char> Span => Text.Span;
    public int Length => Text.Length;
}

/// <summary>How the parts of a split piece are kept, as <c>SplitDelimiterBehavior</c> in the Rust library.</summary>
internal enum SplitBehavior
{
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// <summary>Splits pieces at matches, with the exact semantics of <c>NormalizedString::split</c>.</summary>
internal static class PieceSplitter
{
    public static SplitBehavior ParseBehavior(JsonNode node) => node.AsString() switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        var other => throw node.Unsupported(other, Enum.GetNames<SplitBehavior>()),
    };

    /// <summary>
    /// Splits <paramref name="piece"/> given its <paramref name="matches"/> (successive, non-overlapping); parts are
    /// the matches and the gaps between them, each flagged as match or not (flags flipped when
    /// <paramref name="invert"/>). Empty parts are dropped, as <c>PreTokenizedString::split</c> drops them.
    /// </summary>
    public static void Split(Piece piece, List<(int Start, int Length)> matches, SplitBehavior behavior, bool invert,
        List<Piece> output)
    {
        if (behavior == SplitBehavior.Isolated)
        {
            SplitIsolated(piece, matches, output.Add);
            return;
        }
        var parts = new List<(int Start, int End, bool IsMatch)>(matches.Count * 2 + 1);
        var previous = 0;
        foreach (var (start, length) in matches)
        {
            if (start > previous) parts.Add((previous, start, invert));
            parts.Add((start, start + length, !invert));
            previous = start + length;
        }
        if (previous < piece.Length) parts.Add((previous, piece.Length, invert));

        var kept = new List<(int Start, int End)>(parts.Count);
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var p in parts) kept.Add((p.Start, p.End));
                break;
            case SplitBehavior.Removed:
                foreach (var p in parts) if (!p.IsMatch) kept.Add((p.Start, p.End));
                break;
            case SplitBehavior.Contiguous:
            {
                var previousMatch = false;
                foreach (var p in parts)
                {
                    if (kept.Count > 0 && p.IsMatch == previousMatch) kept[^1] = (kept[^1].Start, p.End);
                    else kept.Add((p.Start, p.End));
                    previousMatch = p.IsMatch;
                }
                break;
            }
            case SplitBehavior.MergedWithPrevious:
            {
                var previousMatch = false;
                foreach (var p in parts)
                {
                    if (p.IsMatch && !previousMatch && kept.Count > 0) kept[^1] = (kept[^1].Start, p.End);
                    else kept.Add((p.Start, p.End));
                    previousMatch = p.IsMatch;
                }
                break;
            }
            case SplitBehavior.MergedWithNext:
            {
                var previousMatch = false;
                for (var i = parts.Count - 1; i >= 0; i--)
                {
                    var p = parts[i];
                    if (p.IsMatch && !previousMatch && kept.Count > 0) kept[^1] = (p.Start, kept[^1].End);
                    else kept.Add((p.Start, p.End));
                    previousMatch = p.IsMatch;
                }
                kept.Reverse();
                break;
            }
        }
        foreach (var (start, end) in kept)
        {
            if (end > start) output.Add(Slice(piece, start, end));
        }
    }

    /// <summary>The <see cref="SplitBehavior.Isolated"/> split: every match and every stretch between matches is a
    /// piece of its own (whichever side <c>invert</c> picks), in order.</summary>
    public static void SplitIsolated(Piece piece, List<(int Start, int Length)> matches, Action<Piece> emit)
    {
        var end = 0;
        foreach (var (start, length) in matches)
        {
            if (start > end) emit(Slice(piece, end, start));
            if (length > 0) emit(Slice(piece, start, start + length));
            end = start + length;
        }
        if (end < piece.Length) emit(Slice(piece, end, piece.Length));
    }

    private static Piece Slice(Piece piece, int start, int end) => new(piece.Text[start..end], piece.IsFirst && start == 0);
}
