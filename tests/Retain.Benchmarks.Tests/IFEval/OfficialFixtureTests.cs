using System.IO.Compression;
using System.Text.Json;
using Retain.Benchmarks.IFEval;
using Retain.Benchmarks.IFEval.Instructions;
using Retain.Benchmarks.IFEval.Text;
using Retain.Benchmarks.IFEval.Text.Punkt;
using Xunit.Abstractions;

namespace Retain.Benchmarks.Tests.IFEval;

/// <summary>
/// Retain's IFEval against the official code's verdicts (Fixtures/ifeval/verdicts.jsonl.gz and punkt.jsonl.gz, made by
/// tests/reference/ifeval/official_verdicts.py from google-research's instruction_following_eval, langdetect seed 0,
/// nltk Punkt English; provenance in each file's first line).
/// </summary>
public class OfficialFixtureTests(ITestOutputHelper output)
{
    private static IEnumerable<JsonElement> Rows(string name)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ifeval", name)), CompressionMode.Decompress));
        reader.ReadLine(); // provenance
        while (reader.ReadLine() is { } line) yield return JsonDocument.Parse(line).RootElement;
    }

    private static bool[] Bools(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(b => b.GetBoolean()).ToArray();

    [Fact]
    public void Every_verdict_equals_google_researchs()
    {
        var agreement = new SortedDictionary<string, (int Equal, int Total)>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        var bySource = new SortedDictionary<string, (List<IFEvalVerdict> Retain, List<IFEvalVerdict> Official, List<IFEvalVerdict> LmEval)>(StringComparer.Ordinal);
        foreach (var row in Rows("verdicts.jsonl.gz"))
        {
            var ids = row.GetProperty("instruction_id_list").EnumerateArray().Select(e => e.GetString()!).ToList();
            var kwargs = row.GetProperty("kwargs").EnumerateArray().ToList();
            var instructions = ids.Select((id, i) => InstructionRegistry.Create(id, new InstructionArgs(kwargs[i]))).ToList();
            string response = row.GetProperty("response").GetString()!;
            var verdict = IFEvalScoring.Judge(instructions, response);
            var expected = new IFEvalVerdict(Bools(row, "strict"), Bools(row, "loose"));
            string source = row.GetProperty("source").GetString()!;
            if (!bySource.TryGetValue(source, out var sets)) bySource[source] = sets = ([], [], []);
            sets.Retain.Add(verdict);
            sets.Official.Add(expected);
            sets.LmEval.Add(new IFEvalVerdict(Bools(row, "lm_eval_strict"), Bools(row, "lm_eval_loose")));
            for (int i = 0; i < ids.Count; i++)
            {
                foreach (var (mode, got, want) in new[] { ("strict", verdict.Strict[i], expected.Strict[i]), ("loose", verdict.Loose[i], expected.Loose[i]) })
                {
                    var (equal, total) = agreement.GetValueOrDefault(ids[i]);
                    agreement[ids[i]] = (equal + (got == want ? 1 : 0), total + 1);
                    if (got != want) mismatches.Add($"key {row.GetProperty("key").GetInt32()} {ids[i]} {mode}: official {want}, Retain {got}; response {JsonSerializer.Serialize(response)}");
                }
            }
        }
        foreach (var (id, (equal, total)) in agreement) output.WriteLine($"{id}: {equal}/{total}");
        output.WriteLine($"all: {agreement.Values.Sum(a => a.Equal)}/{agreement.Values.Sum(a => a.Total)} (strict and loose) over {bySource.Values.Sum(s => s.Retain.Count)} responses");
        foreach (var (source, sets) in bySource)
        {
            foreach (var (name, verdicts) in new[] { ("Retain", sets.Retain), ("google-research", sets.Official), ("lm-eval v0.4.9.1", sets.LmEval) })
            {
                var metrics = IFEvalScoring.Result("ifeval", verdicts).Metrics.Select(m => $"{m.Name} {m.Value:F4}");
                output.WriteLine($"{source} ({sets.Retain.Count} responses), {name}: {string.Join(", ", metrics)}");
            }
        }
        bySource.Keys.ShouldBe(["crafted", "gpt4", "synthetic"]);
        agreement.Count.ShouldBe(25);
        mismatches.ShouldBeEmpty();
    }

    [Fact]
    public void Sentences_words_and_tokens_equal_nltks()
    {
        var wrong = new List<string>();
        int count = 0;
        foreach (var row in Rows("punkt.jsonl.gz"))
        {
            count++;
            string text = row.GetProperty("text").GetString()!;
            var sentences = row.GetProperty("sentences").EnumerateArray().Select(e => e.GetString()!).ToList();
            var words = row.GetProperty("words").EnumerateArray().Select(e => e.GetString()!).ToList();
            if (!PunktSentenceTokenizer.Tokenize(text).SequenceEqual(sentences)) wrong.Add($"sentences of {JsonSerializer.Serialize(text)}: {JsonSerializer.Serialize(PunktSentenceTokenizer.Tokenize(text))} vs {JsonSerializer.Serialize(sentences)}");
            if (!NltkWordTokenizer.Tokenize(text).SequenceEqual(words)) wrong.Add($"words of {JsonSerializer.Serialize(text)}: {JsonSerializer.Serialize(NltkWordTokenizer.Tokenize(text))} vs {JsonSerializer.Serialize(words)}");
            if (WordTokenizer.CountWords(text) != row.GetProperty("count_words").GetInt32()) wrong.Add($"count_words of {JsonSerializer.Serialize(text)}");
        }
        count.ShouldBeGreaterThan(2000);
        wrong.Take(20).ShouldBeEmpty();
        wrong.ShouldBeEmpty();
    }
}
