namespace Retain.Kernel.Tokenization;

/// <summary>
/// A tokenizer or chat-template file that cannot be read: malformed JSON, a missing key, or a component this kernel
/// does not implement. The message names the file and, where there is one, the JSON path.
/// </summary>
public sealed class TokenizerFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The offending file.</param>
    /// <param name="jsonPath">The JSON path inside it (e.g. <c>pre_tokenizer.pretokenizers[1].type</c>), or null.</param>
    /// <param name="problem">What is wrong, phrased so the user can act on it.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public TokenizerFormatException(string file, string? jsonPath, string problem, Exception? inner = null)
        : base(jsonPath is { Length: > 0 } ? $"{file}: {jsonPath} {problem}" : $"{file}: {problem}", inner)
    {
        File = file;
        JsonPath = jsonPath;
    }

    /// <summary>The offending file.</summary>
    public string File { get; }

    /// <summary>The JSON path inside <see cref="File"/>, or null when the problem concerns the whole file.</summary>
    public string? JsonPath { get; }
}
