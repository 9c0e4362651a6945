using System.Diagnostics;
using System.Text.Json;
using Retain.Benchmarks.Code;
using Retain.Benchmarks.Code.Sandbox;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;
using Retain.Testing;
using Xunit.Abstractions;

namespace Retain.Benchmarks.Tests.Code;

/// <summary>
/// The datasets' own solutions, run through the full scoring path, must pass: the harness semantics hold. Every 12th
/// problem keeps the suite fast; all 164 HumanEval solutions pass too (about 20 s on a loaded 2-core machine).
/// </summary>
[Collection("sandbox")]
public class ReferenceSolutionTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_humaneval_canonical_solution_passes()
    {
        var lines = ReadLines(TestPaths.SharedFile("data", "humaneval", "HumanEval.jsonl.gz"));
        var responses = lines.Select((l, i) => new ResponseRecord(i, JsonDocument.Parse(l).RootElement.GetProperty("canonical_solution").GetString()!))
            .Where(r => r.DocId % 12 == 0).ToList();
        var records = new ListRecorder();
        var clock = Stopwatch.StartNew();
        var result = new HumanEvalBenchmark(new HumanEvalOptions()).Score(responses, TestData.Shared(records));
        output.WriteLine($"{responses.Count} programs in {clock.Elapsed.TotalSeconds:F1} s");
        records.Items.Where(r => !r.Correct).Select(r => $"{r.DocId}: {r.Details["outcome"]}").ShouldBeEmpty();
        result.Primary.Value.ShouldBe(1.0);
    }

    [Fact]
    public void Mbpp_reference_code_passes_its_asserts()
    {
        var rows = File.ReadAllLines(TestPaths.SharedFile("data", "mbpp", "mbpp.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("task_id").GetInt32() is >= 11 and <= 510).ToList();
        var responses = rows.Select((e, i) => new ResponseRecord(i, e.GetProperty("code").GetString()!)).Where(r => r.DocId % 40 == 0).ToList();
        var records = new ListRecorder();
        var result = new MbppBenchmark(new MbppOptions()).Score(responses, TestData.Shared(records));
        records.Items.Where(r => !r.Correct).Select(r => $"{r.DocId}: {r.Details["outcome"]}").ShouldBeEmpty();
        result.Primary.Value.ShouldBe(1.0);
    }

    private static List<string> ReadLines(string path)
    {
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
        var lines = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null) if (line.Length > 0) lines.Add(line);
        return lines;
    }
}
