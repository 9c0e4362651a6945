namespace Retain.Kernel.Tokenization;

/// <summary>
/// The files of a Hugging Face model directory that tokenization depends on: <c>tokenizer.json</c> itself and,
/// when present beside it, <c>tokenizer_config.json</c>, <c>special_tokens_map.json</c>,
/// <c>generation_config.json</c> and <c>config.json</c>.
/// </summary>
internal sealed class TokenizerFiles
{
    public const string TokenizerJson = "tokenizer.json";
    public const string TokenizerConfigJson = "tokenizer_config.json";
    public const string SpecialTokensMapJson = "special_tokens_map.json";
    public const string GenerationConfigJson = "generation_config.json";
    public const string ConfigJson = "config.json";

    private TokenizerFiles(string tokenizerJson, string directory)
    {
        TokenizerJsonPath = tokenizerJson;
        Directory = directory;
    }

    public string TokenizerJsonPath { get; }
    public string Directory { get; }

    /// <summary>Resolves a tokenizer.json file or a model directory holding one.</summary>
    public static TokenizerFiles Locate(string path)
    {
        if (System.IO.Directory.Exists(path))
        {
            var file = Path.Combine(path, TokenizerJson);
            if (!File.Exists(file))
                throw new FileNotFoundException($"{path} is a directory without a {TokenizerJson}; pass a tokenizer.json file or a model directory that has one.", file);
            return new TokenizerFiles(file, path);
        }
        if (File.Exists(path)) return new TokenizerFiles(path, Path.GetDirectoryName(Path.GetFullPath(path))!);
        throw new FileNotFoundException($"Tokenizer not found: {path} is neither a tokenizer.json file nor a model directory.", path);
    }

    /// <summary>The path of a sibling file, or null when it does not exist.</summary>
    public string? Sibling(string name)
    {
        var file = Path.Combine(Directory, name);
        return File.Exists(file) ? file : null;
    }
}
