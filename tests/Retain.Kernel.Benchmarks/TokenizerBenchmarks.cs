using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Retain.Kernel.Tokenization;
using Retain.Testing;
using MlTokenizers = Microsoft.ML.Tokenizers;

namespace Retain.Kernel.Benchmarks;

/// <summary>
/// Encoding the ~1 MB benchmark text (<c>tests/fixtures/Text/tokenizer-text-1mb.txt</c>) with the Qwen3 tokenizer:
/// Retain's <see cref="Tokenizer"/> against Microsoft.ML.Tokenizers' BPE built from the same vocabulary, merges,
/// added tokens, NFC normalization and Qwen's pre-tokenizer regex. Warm: the same tokenizer encodes the text again and
/// again, so both word caches are full. Setup refuses to run when Retain's ids differ from the Hugging Face reference
/// digest committed for the tests, and prints how far Microsoft.ML.Tokenizers' ids agree with them.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private QwenSubjects _subjects = null!;

    /// <summary>Loads both tokenizers and checks their ids once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _subjects = QwenSubjects.Load();
        _subjects.CheckIds(_subjects.LoadRetain(), _subjects.CreateMicrosoft());
    }

    /// <summary>Retain's encoder.</summary>
    [Benchmark(Baseline = true)]
    public int Retain() => _subjects.Retain.Encode(_subjects.Text).Length;

    /// <summary>Microsoft.ML.Tokenizers 3.0.0.</summary>
    [Benchmark]
    public int MicrosoftML() => _subjects.Microsoft.EncodeToIds(_subjects.Text).Count;
}

/// <summary>
/// The same text on a freshly loaded tokenizer each time (empty word cache, code already jitted): the first pass over
/// unseen text, where every distinct word goes through BPE merging. Loading is outside the measured time.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(1)]
public class TokenizerColdBenchmarks
{
    private QwenSubjects _subjects = null!;
    private Tokenizer? _retain;
    private MlTokenizers.Tokenizer? _microsoft;

    /// <summary>Reads the text and the tokenizer description once.</summary>
    [GlobalSetup]
    public void Setup() => _subjects = QwenSubjects.Load();

    /// <summary>A fresh Retain tokenizer.</summary>
    [IterationSetup(Target = nameof(Retain))]
    public void FreshRetain() => _retain = _subjects.LoadRetain();

    /// <summary>A fresh Microsoft.ML.Tokenizers tokenizer.</summary>
    [IterationSetup(Target = nameof(MicrosoftML))]
    public void FreshMicrosoft() => _microsoft = _subjects.CreateMicrosoft();

    /// <summary>Retain's encoder, first pass.</summary>
    [Benchmark(Baseline = true)]
    public int Retain() => _retain!.Encode(_subjects.Text).Length;

    /// <summary>Microsoft.ML.Tokenizers 3.0.0, first pass.</summary>
    [Benchmark]
    public int MicrosoftML() => _microsoft!.EncodeToIds(_subjects.Text).Count;
}

/// <summary>The benchmark text and the Qwen3 tokenizer, as Retain and as Microsoft.ML.Tokenizers.</summary>
internal sealed class QwenSubjects
{
    private readonly string _tokenizerDirectory;
    private readonly List<KeyValuePair<string, int>> _vocabulary;
    private readonly List<string> _merges;
    private readonly Dictionary<string, int> _addedTokens;
    private readonly string _pattern;
    private readonly (int Count, string Sha256) _reference;

    private QwenSubjects(string tokenizerDirectory, string text, JsonElement root, (int, string) reference)
    {
        _tokenizerDirectory = tokenizerDirectory;
        Text = text;
        _reference = reference;
        var model = root.GetProperty("model");
        _vocabulary = model.GetProperty("vocab").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetInt32())).ToList();
        _merges = model.GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : $"{m[0].GetString()} {m[1].GetString()}").ToList();
        _addedTokens = root.GetProperty("added_tokens").EnumerateArray()
            .ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
        // Sequence [Split(regex, Isolated), ByteLevel(use_regex: false)], NFC normalizer: what Qwen2/2.5/3 ship.
        _pattern = root.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString()!;
        Retain = LoadRetain();
        Microsoft = CreateMicrosoft();
    }

    public string Text { get; }

    public Tokenizer Retain { get; }

    public MlTokenizers.Tokenizer Microsoft { get; }

    public static QwenSubjects Load()
    {
        var directory = TestPaths.SharedFile("models", "tokenizers", "qwen3");
        var text = File.ReadAllText(TestPaths.RepoFile("tests", "fixtures", "Text", "tokenizer-text-1mb.txt"), Encoding.UTF8);
        using var reference = JsonDocument.Parse(File.ReadAllBytes(
            TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", "Tokenizers", "text_1mb_ids.json")));
        var whole = reference.RootElement.GetProperty("tokenizers").GetProperty("qwen3").GetProperty("whole");
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "tokenizer.json")));
        return new QwenSubjects(directory, text, document.RootElement, (whole.GetProperty("count").GetInt32(), whole.GetProperty("sha256").GetString()!));
    }

    public Tokenizer LoadRetain() => Tokenizer.Load(_tokenizerDirectory);

    public MlTokenizers.Tokenizer CreateMicrosoft() => MlTokenizers.BpeTokenizer.Create(new MlTokenizers.BpeOptions(_vocabulary)
    {
        Merges = _merges,
        ByteLevel = true,
        SpecialTokens = _addedTokens,
        PreTokenizer = new MlTokenizers.RegexPreTokenizer(new Regex(_pattern, RegexOptions.Compiled), _addedTokens),
        Normalizer = new NfcNormalizer(),
    });

    /// <summary>Throws unless Retain's ids equal the Hugging Face reference; prints Microsoft.ML.Tokenizers' agreement.</summary>
    public void CheckIds(Tokenizer retain, MlTokenizers.Tokenizer microsoft)
    {
        var ids = retain.Encode(Text);
        var digest = (ids.Length, Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(ids.AsSpan()))));
        if (digest != _reference)
            throw new InvalidOperationException($"Retain's Qwen3 ids {digest} differ from the Hugging Face reference {_reference}");
        var other = microsoft.EncodeToIds(Text).ToArray();
        var same = ids.AsSpan().CommonPrefixLength(other);
        Console.WriteLine(same == ids.Length && other.Length == ids.Length
            ? $"// Microsoft.ML.Tokenizers ids equal Retain's and the reference ({ids.Length} ids)"
            : $"// Microsoft.ML.Tokenizers ids differ from the reference from id {same} of {ids.Length} ({other.Length} ids)");
    }

    /// <summary>NFC through the runtime's ICU (this project runs with globalization on).</summary>
    private sealed class NfcNormalizer : MlTokenizers.Normalizer
    {
        public NfcNormalizer()
        {
            if ("e\u0301".Normalize(NormalizationForm.FormC) != "\u00e9")
                throw new InvalidOperationException("string.Normalize does nothing here: the benchmark needs globalization (ICU) on");
        }

        public override string Normalize(string original) => original.Normalize(NormalizationForm.FormC);

        public override string Normalize(ReadOnlySpan<char> original) => original.ToString().Normalize(NormalizationForm.FormC);
    }
}
