namespace Retain.Kernel.Tokenization.Unicode;

/// <summary>Finds the successive non-overlapping matches of a pre-tokenizer pattern, over Unicode scalars.</summary>
internal interface IScalarMatcher
{
    /// <summary>Appends the (start, length) of each successive non-overlapping match in <paramref name="text"/>.</summary>
    void Matches(ReadOnlySpan<char> text, List<(int Start, int Length)> output);
}
