using System.Text.Json;

namespace Retain.Kernel.Tokenization;

/// <summary>The work behind <c>retain tokenize --tokenizer PATH --text TEXT --json</c>.</summary>
public static class TokenizeCommand
{
    /// <summary>
    /// Encodes <paramref name="text"/> with the tokenizer at <paramref name="tokenizerPath"/> (a tokenizer.json file or
    /// a model directory), adding special tokens as the tokenizer's own configuration says, and returns
    /// <c>{"ids": [...]}</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">No tokenizer at that path.</exception>
    /// <exception cref="TokenizerFormatException">The tokenizer files are malformed or unsupported.</exception>
    public static string EncodeToJson(string tokenizerPath, string text)
    {
        var ids = Tokenizer.Load(tokenizerPath).Encode(text, addSpecialTokens: true);
        return JsonSerializer.Serialize(new Dictionary<string, int[]> { ["ids"] = ids });
    }
}
