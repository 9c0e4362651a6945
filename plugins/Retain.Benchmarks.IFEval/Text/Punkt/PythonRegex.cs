namespace Retain.Benchmarks.IFEval.Text.Punkt;

/// <summary>
/// Python <c>re</c> character classes spelled for .NET, where the two differ: Python's <c>\s</c> adds U+001C–U+001F
/// to .NET's; Python's <c>\w</c> is letters, all numbers (Nd, Nl, No) and <c>_</c>, without .NET's combining marks and
/// connector punctuation; <c>\b</c> is the boundary of that <c>\w</c>.
/// </summary>
internal static class PythonRegex
{
    /// <summary><c>\s</c> inside a character class.</summary>
    public const string SpaceChars = @"\s\x1c-\x1f";

    /// <summary><c>\s</c>.</summary>
    public const string Space = "[" + SpaceChars + "]";

    /// <summary><c>\S</c>.</summary>
    public const string NonSpace = "[^" + SpaceChars + "]";

    /// <summary><c>\w</c>.</summary>
    public const string Word = @"[\p{L}\p{N}_]";

    /// <summary><c>[^\W\d]</c>: a word character that is not a decimal digit.</summary>
    public const string WordNotDigit = @"[\p{L}\p{Nl}\p{No}_]";

    /// <summary><c>\b</c>.</summary>
    public const string Boundary = "(?:(?<=" + Word + ")(?!" + Word + ")|(?<!" + Word + ")(?=" + Word + "))";
}
