using System.Text.Json;

namespace Retain.Kernel.Tokenization;

/// <summary>
/// What the configuration files beside <c>tokenizer.json</c> say about special tokens: BOS / EOS strings, whether
/// to add them when encoding, and the ids that end generation.
/// </summary>
internal sealed class TokenizerSettings
{
    // transformers classes whose fast tokenizer rebuilds the post-processor from add_bos_token / add_eos_token.
    private static readonly HashSet<string> FlagDrivenClasses = new(StringComparer.Ordinal)
    {
        "LlamaTokenizer", "LlamaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast",
        "GemmaTokenizer", "GemmaTokenizerFast",
    };

    /// <summary>BOS text: <c>(present, value)</c>; present with a null value means explicitly none.</summary>
    public (bool Present, string? Value) BosToken { get; private init; }
    public (bool Present, string? Value) EosToken { get; private init; }

    /// <summary>The files the BOS / EOS texts came from (for error messages).</summary>
    public string? BosTokenFile { get; private init; }
    public string? EosTokenFile { get; private init; }
    public bool? AddBosToken { get; private init; }
    public bool? AddEosToken { get; private init; }
    public string? TokenizerClass { get; private init; }
    public string? TokenizerConfigPath { get; private init; }

    /// <summary>eos_token_id from generation_config.json, else config.json (with the file it came from).</summary>
    public (int[] Ids, string File)? EosTokenIds { get; private init; }

    /// <summary>bos_token_id from config.json.</summary>
    public int? ConfigBosTokenId { get; private init; }

    /// <summary>Whether add_bos_token / add_eos_token decide the special tokens instead of the post-processor.</summary>
    public bool FlagsOverridePostProcessor(bool hasPostProcessor) =>
        (AddBosToken.HasValue || AddEosToken.HasValue) &&
        (!hasPostProcessor || (TokenizerClass is not null && FlagDrivenClasses.Contains(TokenizerClass)));

    /// <summary>The flag value, with the class default when the key is absent (Llama/Gemma: BOS yes, EOS no).</summary>
    public bool AddBos => AddBosToken ?? (TokenizerClass is not null && FlagDrivenClasses.Contains(TokenizerClass));
    public bool AddEos => AddEosToken ?? false;

    public static TokenizerSettings Read(TokenizerFiles files)
    {
        (bool, string?) bos = (false, null), eos = (false, null);
        string? bosFile = null, eosFile = null;
        bool? addBos = null, addEos = null;
        string? tokenizerClass = null;
        var configPath = files.Sibling(TokenizerFiles.TokenizerConfigJson);
        if (configPath is not null)
        {
            var (document, root) = JsonNode.ParseFile(configPath);
            using (document)
            {
                bos = ReadTokenText(root, "bos_token");
                eos = ReadTokenText(root, "eos_token");
                if (bos.Item1) bosFile = configPath;
                if (eos.Item1) eosFile = configPath;
                addBos = root.Optional("add_bos_token")?.AsBool();
                addEos = root.Optional("add_eos_token")?.AsBool();
                tokenizerClass = root.OptionalString("tokenizer_class");
            }
        }
        if (files.Sibling(TokenizerFiles.SpecialTokensMapJson) is { } mapPath)
        {
            var (document, root) = JsonNode.ParseFile(mapPath);
            using (document)
            {
                if (!bos.Item1 && (bos = ReadTokenText(root, "bos_token")).Item1) bosFile = mapPath;
                if (!eos.Item1 && (eos = ReadTokenText(root, "eos_token")).Item1) eosFile = mapPath;
            }
        }

        (int[] Ids, string File)? eosIds = null;
        int? configBos = null;
        if (files.Sibling(TokenizerFiles.GenerationConfigJson) is { } generationPath)
        {
            var (document, root) = JsonNode.ParseFile(generationPath);
            using (document)
            {
                if (ReadIds(root, "eos_token_id") is { } ids) eosIds = (ids, generationPath);
            }
        }
        if (files.Sibling(TokenizerFiles.ConfigJson) is { } modelConfigPath)
        {
            var (document, root) = JsonNode.ParseFile(modelConfigPath);
            using (document)
            {
                var scope = root.Has("eos_token_id") || root.Optional("text_config") is not { } text ? root : text;
                if (eosIds is null && ReadIds(scope, "eos_token_id") is { } ids) eosIds = (ids, modelConfigPath);
                configBos = scope.Optional("bos_token_id")?.AsInt();
            }
        }

        return new TokenizerSettings
        {
            BosToken = bos,
            EosToken = eos,
            BosTokenFile = bosFile,
            EosTokenFile = eosFile,
            AddBosToken = addBos,
            AddEosToken = addEos,
            TokenizerClass = tokenizerClass,
            TokenizerConfigPath = configPath,
            EosTokenIds = eosIds,
            ConfigBosTokenId = configBos,
        };
    }

    /// <summary>A token given as a string, as an AddedToken object (<c>{"content": ...}</c>), or null.</summary>
    private static (bool Present, string? Value) ReadTokenText(JsonNode root, string key)
    {
        if (!root.Has(key)) return (false, null);
        if (root.Optional(key) is not { } node) return (true, null);
        return node.Element.ValueKind == JsonValueKind.String ? (true, node.AsString()) : (true, node.String("content"));
    }

    private static int[]? ReadIds(JsonNode scope, string key)
    {
        if (scope.Optional(key) is not { } node) return null;
        return node.Element.ValueKind == JsonValueKind.Array ? node.Items().Select(i => i.AsInt()).ToArray() : [node.AsInt()];
    }
}
