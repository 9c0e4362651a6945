using Retain.Kernel.Tokenization;
using Retain.Testing;

namespace Retain.Kernel.Tests.Tokenization;

/// <summary>Bad tokenizer files and input get errors that name the file, the JSON path and what is accepted.</summary>
public sealed class TokenizerErrorTests
{
    private static string StoriesJson() => File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "tokenizer.json"));

    [Fact]
    public void Unsupported_pre_tokenizer_names_file_path_and_alternatives()
    {
        using var dir = new TempModelDirectory();
        var file = dir.Write("tokenizer.json", StoriesJson().Replace("\"pre_tokenizer\": null",
            "\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\", \"individual_digits\": true}, {\"type\": \"WhitespaceSplit\"}]}"));
        var e = Should.Throw<TokenizerFormatException>(() => Tokenizer.Load(file));
        e.Message.ShouldBe($"{file}: pre_tokenizer.pretokenizers[1].type 'WhitespaceSplit' is not supported; supported: ByteLevel, Digits, Metaspace, Sequence, Split");
    }

    [Fact]
    public void Unsupported_model_type_is_named()
    {
        using var dir = new TempModelDirectory();
        var file = dir.Write("tokenizer.json", StoriesJson().Replace("\"type\": \"BPE\"", "\"type\": \"Unigram\""));
        Should.Throw<TokenizerFormatException>(() => Tokenizer.Load(file)).Message.ShouldBe($"{file}: model.type 'Unigram' is not supported; supported: BPE");
    }

    [Fact]
    public void Merge_with_unknown_token_names_the_merge()
    {
        using var dir = new TempModelDirectory();
        var file = dir.Write("tokenizer.json", StoriesJson().Replace("\"merges\": [", "\"merges\": [[\"zz\", \"q\"], "));
        Should.Throw<TokenizerFormatException>(() => Tokenizer.Load(file)).Message.ShouldBe($"{file}: model.merges[0] token 'zz' is not in the vocabulary");
    }

    [Fact]
    public void Malformed_json_names_the_file()
    {
        using var dir = new TempModelDirectory();
        var file = dir.Write("tokenizer.json", "{ \"model\": ");
        Should.Throw<TokenizerFormatException>(() => Tokenizer.Load(dir.Path)).Message.ShouldStartWith($"{file}: is not valid JSON");
    }

    [Fact]
    public void Missing_tokenizer_is_a_file_not_found()
    {
        using var dir = new TempModelDirectory();
        Should.Throw<FileNotFoundException>(() => Tokenizer.Load(dir.Path)).Message.ShouldContain("without a tokenizer.json");
    }

    [Fact]
    public void Unpaired_surrogate_in_text_is_rejected() =>
        Should.Throw<ArgumentException>(() => SharedTokenizers.Qwen3.Encode("ab\ud800c")).Message.ShouldContain("index 2");
}
