using System.Text.Json;
using Retain.Benchmarks.Code;
using Retain.Benchmarks.Code.Sandbox;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;
using Retain.Testing;

namespace Retain.Benchmarks.Tests.Code;

[Collection("sandbox")]
public class CodeBenchmarkTests
{
    private static readonly SandboxOptions Sandbox = new() { TimeoutSeconds = 1.0 };

    [Theory]
    [InlineData(1, 0, 1, 0.0)]
    [InlineData(1, 1, 1, 1.0)]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(5, 2, 2, 0.7)]   // 1 - C(3,2)/C(5,2) = 1 - 3/10
    [InlineData(4, 3, 2, 1.0)]   // n - c < k
    public void Pass_at_k_is_the_unbiased_estimator(int n, int c, int k, double expected) =>
        PassAtK.Estimate(n, c, k).ShouldBe(expected, 1e-12);

    [Fact]
    public void Humaneval_program_is_prompt_completion_test_and_check()
    {
        HumanEvalBenchmark.Program("def f():\n", "    return 1\n", "def check(c):\n    assert c() == 1\n", "f")
            .ShouldBe(new CodeProgram("def f():\n    return 1\n", "\ndef check(c):\n    assert c() == 1\n\ncheck(f)"));
    }

    [Fact]
    public void Humaneval_run_sends_the_raw_prompt_with_lm_eval_stops()
    {
        var problems = HumanEvalBenchmark.Load(TestPaths.SharedFile("data", "humaneval", "HumanEval.jsonl.gz"));
        problems.Count.ShouldBe(164);
        var model = new ScriptedModel { Respond = _ => "    pass\n" };
        var records = new ListRecorder();
        var result = new HumanEvalBenchmark(new HumanEvalOptions { Sandbox = Sandbox }).Run(model, TestData.Shared(records, limit: 2));
        model.Generated.Count.ShouldBe(2);
        model.Generated.ShouldAllBe(g => g.Settings.MaxNewTokens == 1024 && g.Settings.Temperature == 0);
        model.Generated[0].Settings.Stop.ShouldBe(["\nclass", "\ndef", "\n#", "\nif", "\nprint"]);
        model.Generated.Select(g => g.Prompt).ShouldBe(records.Items.Select(r => problems[r.DocId].Prompt));
        result.Primary.Name.ShouldBe("pass@1,create_test");
        result.Primary.Count.ShouldBe(2);
    }

    [Fact]
    public void Humaneval_responses_fixture_scores_to_the_known_verdicts() =>
        CheckFixture("humaneval.jsonl", (responses, context) => new HumanEvalBenchmark(new HumanEvalOptions { Sandbox = Sandbox }).Score(responses, context), "pass@1,create_test");

    [Fact]
    public void Mbpp_prompt_has_three_fixed_shots_with_crlf_code_and_ends_after_begin()
    {
        var problems = MbppBenchmark.Load(TestPaths.SharedFile("data", "mbpp", "mbpp.jsonl"));
        problems.Count.ShouldBe(500);
        problems[0].TaskId.ShouldBe("11");
        string prompt = problems[1].Prompt;
        prompt.ShouldStartWith("You are an expert Python programmer, and here is your task: Write a function to find the similar elements from the given two tuple lists.");
        prompt.ShouldContain("[BEGIN]\ndef similar_elements(test_tup1, test_tup2):\r\n  res = tuple(set(test_tup1) & set(");
        prompt.Split("\n[DONE]\n\n").Length.ShouldBe(4);
        prompt.ShouldEndWith("Write a function to sort a given matrix in ascending order according to the sum of its rows. Your code should pass these tests:\n\n" +
            "assert sort_matrix([[1, 2, 3], [2, 4, 5], [1, 1, 1]])==[[1, 1, 1], [1, 2, 3], [2, 4, 5]]\n" +
            "assert sort_matrix([[1, 2, 3], [-2, 4, -5], [1, -1, 1]])==[[-2, 4, -5], [1, -1, 1], [1, 2, 3]]\n" +
            "assert sort_matrix([[5,8,9],[6,4,3],[2,1,4]])==[[2, 1, 4], [6, 4, 3], [5, 8, 9]]\n[BEGIN]\n");
        MbppBenchmark.Program("def f(): return 1", ["assert f() == 1", "assert f()"]).ShouldBe(new CodeProgram("def f(): return 1", "\nassert f() == 1\nassert f()"));
    }

    [Fact]
    public void Mbpp_responses_fixture_scores_to_the_known_verdicts() =>
        CheckFixture("mbpp.jsonl", (responses, context) => new MbppBenchmark(new MbppOptions { Sandbox = Sandbox }).Score(responses, context), "pass_at_1,none");

    [Fact]
    public void Several_samples_need_a_temperature()
    {
        var options = new HumanEvalOptions { Sandbox = Sandbox, Sampling = new CodeSamplingOptions { Samples = 3 } };
        Should.Throw<InvalidOperationException>(() => new HumanEvalBenchmark(options).Run(new ScriptedModel(), TestData.Shared(limit: 1)))
            .Message.ShouldContain("Temperature");
    }

    [Fact]
    public void Nested_sandbox_options_are_validated_by_name()
    {
        var options = new MbppOptions { Sandbox = new SandboxOptions { TimeoutSeconds = 0 } };
        Should.Throw<System.ComponentModel.DataAnnotations.ValidationException>(() => new MbppBenchmark(options).Score([new ResponseRecord(0, "pass")], TestData.Shared()))
            .Message.ShouldContain("Sandbox.TimeoutSeconds");
    }

    [Fact]
    public void Pass_at_1_averages_the_per_problem_estimates_over_samples()
    {
        // Problem 0's canonical solution passes; the model alternates it with a wrong body: c = 2 of n = 4.
        using var dir = new TempDir();
        dir.File("one.jsonl", DataLine(0) + "\n");
        string canonical = JsonDocument.Parse(DataLine(0)).RootElement.GetProperty("canonical_solution").GetString()!;
        int call = 0;
        var model = new ScriptedModel { Respond = _ => call++ % 2 == 0 ? canonical : "    return None\n" };
        var options = new HumanEvalOptions { DataPath = "one.jsonl", Sandbox = Sandbox, Sampling = new CodeSamplingOptions { Samples = 4, Temperature = 0.8 } };
        var records = new ListRecorder();
        var context = TestData.Folder(dir.Path, records);
        var result = new HumanEvalBenchmark(options).Run(model, context);
        model.Generated.Select(g => g.Settings.Seed).Distinct().Count().ShouldBe(4);
        result.Primary.Value.ShouldBe(0.5);
        records.Items.Count.ShouldBe(4);
        records.Items.Count(r => r.Correct).ShouldBe(2);
    }

    [Fact]
    public void Humaneval_responses_holding_the_prompt_have_it_stripped_and_the_form_recorded()
    {
        var problems = HumanEvalBenchmark.Load(TestPaths.SharedFile("data", "humaneval", "HumanEval.jsonl.gz"));
        string canonical = JsonDocument.Parse(DataLine(0)).RootElement.GetProperty("canonical_solution").GetString()!;
        var records = new ListRecorder();
        var result = new HumanEvalBenchmark(new HumanEvalOptions { Sandbox = Sandbox }).Score(
            [new ResponseRecord(0, problems[0].Prompt + canonical), new ResponseRecord(2, "    return number % 1.0\n")], TestData.Shared(records));
        result.Primary.Value.ShouldBe(1.0);
        records.Items.Single(r => r.DocId == 0).Details["response_form"].ShouldBe("prompt+completion");
        records.Items.Single(r => r.DocId == 0).Response.ShouldBe(canonical);
        records.Items.Single(r => r.DocId == 2).Details["response_form"].ShouldBe("completion");
        result.Notes.ShouldBe(["scored 2 of 164 items: the responses file has no response for 162 doc_ids, and the metrics are over the 2 scored items only"]);
    }

    [Fact]
    public void A_benchmark_where_every_program_fails_says_what_the_completions_looked_like()
    {
        // Whole functions that do not repeat the prompt are completions; the stop string "\ndef" cuts the second one.
        var responses = new[] { new ResponseRecord(0, "def helper():\n    pass\n\ndef more():\n    pass\n"), new ResponseRecord(1, "\ndef separate_paren_groups(s):\n    return []\n") };
        var result = new HumanEvalBenchmark(new HumanEvalOptions { Sandbox = Sandbox }).Score(responses, TestData.Shared());
        result.Primary.Value.ShouldBe(0.0);
        result.Notes.ShouldContain(n => n.StartsWith("every one of the 2 programs failed: 1 completions were empty after cutting at the stop strings; response forms: 2 completion; most common outcome: 'failed: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Code_records_say_how_long_the_timeout_was()
    {
        var records = new ListRecorder();
        new MbppBenchmark(new MbppOptions { Sandbox = Sandbox }).Score([new ResponseRecord(0, "while True:\n    pass\n")], TestData.Shared(records));
        records.Items.Single().Details["outcome"].ShouldBe("timed out at 1 s");
    }

    private static string DataLine(int index)
    {
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(TestPaths.SharedFile("data", "humaneval", "HumanEval.jsonl.gz")), System.IO.Compression.CompressionMode.Decompress));
        for (int i = 0; i < index; i++) reader.ReadLine();
        return reader.ReadLine()!;
    }

    private static void CheckFixture(string file, Func<IReadOnlyList<ResponseRecord>, BenchmarkContext, BenchmarkResult> score, string metric)
    {
        var parsed = File.ReadAllLines(Path.Combine(TestData.Fixtures, "responses", file)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var responses = parsed.Select(e => new ResponseRecord(e.GetProperty("doc_id").GetInt32(), e.GetProperty("response").GetString()!)).ToList();
        var records = new ListRecorder();
        var result = score(responses, TestData.Shared(records));
        foreach (var e in parsed)
        {
            var item = records.Items.Single(r => r.DocId == e.GetProperty("doc_id").GetInt32());
            item.Correct.ShouldBe(e.GetProperty("passed").GetBoolean(), $"doc {item.DocId}: {item.Details["outcome"]}");
        }
        result.Primary.Name.ShouldBe(metric);
        result.Primary.Count.ShouldBe(parsed.Count);
        result.Primary.Value.ShouldBe(parsed.Count(e => e.GetProperty("passed").GetBoolean()) / (double)parsed.Count, 1e-12);
    }
}
