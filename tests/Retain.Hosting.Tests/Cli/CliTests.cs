using Retain.Testing;
using System.Text.Json;

namespace Retain.Hosting.Tests.Cli;

public class CliTests
{
    [Fact]
    public void Plugins_json_lists_every_in_repo_component_with_name_kind_version_and_assembly()
    {
        var (code, output, _) = TestBuild.Cli(["plugins", "--json"]);

        code.ShouldBe(0);
        using var json = JsonDocument.Parse(output);
        var standard = json.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "standard");
        standard.GetProperty("kind").GetString().ShouldBe("strategy");
        standard.GetProperty("version").GetString().ShouldNotBeNullOrEmpty();
        File.Exists(standard.GetProperty("assembly").GetString()).ShouldBeTrue();
    }

    [Fact]
    public void Bad_usage_exits_2_and_an_invalid_configuration_exits_2_with_every_error()
    {
        TestBuild.Cli(["no-such-verb"]).ExitCode.ShouldBe(2);

        using var temp = new TempFolder();
        var config = temp.File("bad.json", """{ "model": "nowhere", "learningRate": 1e-5 }""");
        var (code, _, error) = TestBuild.Cli(["config", "validate", config]);

        code.ShouldBe(2);
        error.ShouldContain("configuration errors:");
        error.ShouldContain("learningRate: unknown key 'learningRate'. Did you mean 'learningRates'?");
        error.ShouldContain("model: directory not found");
        error.ShouldNotContain("   at "); // no stack trace
    }

    [Fact]
    public void Help_and_version_are_available()
    {
        TestBuild.Cli(["--version"]).ExitCode.ShouldBe(0);
        var help = TestBuild.Cli(["config", "validate", "--help"]);
        help.ExitCode.ShouldBe(0);
        help.Out.ShouldContain("--set");
    }
}

public class TokenizeCliTests
{
    [Fact]
    public void Tokenize_prints_ids_with_the_tokenizers_own_special_tokens()
    {
        // stories260K adds <s> (1); 'a' is 261 and the snowman falls back to its three UTF-8 bytes <0xE2><0x98><0x83>.
        var (code, output, _) = TestBuild.Cli(["tokenize", "--tokenizer", Retain.Testing.TestPaths.SharedFile("models", "stories260K"), "--text", "a\u2603", "--json"]);
        code.ShouldBe(0);
        output.Trim().ShouldBe("{\"ids\":[1,261,229,155,134],\"tokens\":[\"<s>\",\"▁a\",\"<0xE2>\",\"<0x98>\",\"<0x83>\"]}");
    }

    [Fact]
    public void A_missing_tokenizer_is_a_usage_error()
    {
        var (code, _, error) = TestBuild.Cli(["tokenize", "--tokenizer", "/no/such/dir", "--text", "x"]);
        code.ShouldBe(2);
        error.ShouldContain("no file or directory at /no/such/dir");
    }
}

public class DataStatsCliTests
{
    [Fact]
    public void Data_stats_reports_rows_splits_and_token_lengths()
    {
        var csv = Retain.Testing.TestPaths.SharedFile("data", "medcalc_bench", "test_data.csv");
        var (code, output, error) = TestBuild.Cli(["data", "stats", "--dataset", "medcalc", "--path", csv, "--model", Retain.Testing.TestPaths.SharedFile("models", "tokenizers", "qwen3"), "--json"]);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        json.RootElement.GetProperty("rowsRead").GetInt32().ShouldBe(1047);
        var splits = json.RootElement.GetProperty("splits");
        (splits.GetProperty("train").GetInt32() + splits.GetProperty("validation").GetInt32() + splits.GetProperty("test").GetInt32()).ShouldBe(1047);
        var total = json.RootElement.GetProperty("tokens").GetProperty("test").GetProperty("total");
        total.GetProperty("count").GetInt32().ShouldBe(splits.GetProperty("test").GetInt32() - json.RootElement.GetProperty("tokens").GetProperty("test").GetProperty("overLength").GetInt32());
        total.GetProperty("max").GetInt32().ShouldBeLessThanOrEqualTo(1024);
    }

    [Fact]
    public void Data_stats_lists_rejected_rows_with_file_and_line()
    {
        using var temp = new Retain.Testing.TempFolder();
        var file = temp.File("train.jsonl", "{\"prompt\": \"2+2?\", \"completion\": \"4\"}\n{not json\n{\"prompt\": \"3+3?\", \"completion\": \"\"}\n{\"prompt\": \"1+1?\", \"completion\": \"2\"}\n");

        var (code, output, error) = TestBuild.Cli(["data", "stats", "--dataset", "jsonl", "--path", file, "--option", "badRows=skip", "--json"]);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var rejected = json.RootElement.GetProperty("rejected").EnumerateArray().Select(e => e.GetString()!).ToList();
        rejected.Count.ShouldBe(2);
        rejected[0].ShouldStartWith($"{file}:2:");
        rejected[1].ShouldStartWith($"{file}:3:");
        json.RootElement.GetProperty("rowsRead").GetInt32().ShouldBe(4);

        var failing = TestBuild.Cli(["data", "stats", "--dataset", "jsonl", "--path", file]);
        failing.ExitCode.ShouldBe(1);
        failing.Err.ShouldContain($"{file}:2");
    }
}

public class ModelCliTests
{
    private static readonly string Stories = Retain.Testing.TestPaths.SharedFile("models", "stories260K");

    [Fact]
    public void Generate_greedy_reproduces_the_published_llama2c_continuation()
    {
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(Stories, "golden_greedy.json")));
        var golden0 = golden.RootElement.GetProperty("cases")[0];
        var expected = golden0.GetProperty("text").GetString()!;
        var newTokens = golden0.GetProperty("all_ids").GetArrayLength() - 1; // every id after BOS

        var (code, output, error) = TestBuild.Cli(["generate", "--model", Stories, "--prompt", "", "--max-tokens", newTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), "--greedy"]);

        code.ShouldBe(0, error);
        // llama2.c prints the text with the leading space after BOS stripped.
        output.TrimEnd('\n').ShouldBe(expected);
    }

    [Fact]
    public void Score_prints_one_logprob_per_token_with_null_for_the_first()
    {
        var (code, output, error) = TestBuild.Cli(["score", "--model", Stories, "--text", "Once upon a time", "--json"]);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var ids = json.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        ids.ShouldBe([1, 403, 407, 261, 378]); // <s> Once upon a time: the golden greedy run's first tokens
        var logprobs = json.RootElement.GetProperty("logprobs").EnumerateArray().ToList();
        logprobs[0].ValueKind.ShouldBe(JsonValueKind.Null);
        logprobs.Skip(1).ShouldAllBe(v => v.GetDouble() < 0 && v.GetDouble() > -1); // greedy tokens: high probability
        json.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetString()).ShouldBe(["<s>", "▁Once", "▁upon", "▁a", "▁time"]);
        output.ShouldContain("\"<s>\"");
    }

    [Fact]
    public void Score_with_a_context_reports_the_continuations_total_apart_from_the_contexts()
    {
        var (code, output, error) = TestBuild.Cli(["score", "--model", Stories, "--context", "Once upon", "--text", " a time", "--json"]);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        root.GetProperty("contextLength").GetInt32().ShouldBe(3);
        var logprobs = root.GetProperty("logprobs").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? 0 : v.GetDouble()).ToArray();
        root.GetProperty("contextLogprob").GetDouble().ShouldBe(logprobs[..3].Sum(), 1e-9);
        root.GetProperty("continuationLogprob").GetDouble().ShouldBe(logprobs[3..].Sum(), 1e-9);
        logprobs[3..].Length.ShouldBe(2); // ▁a ▁time

        var text = TestBuild.Cli(["score", "--model", Stories, "--context", "Once upon", "--text", " a time"]);
        text.Out.ShouldContain("context log-probability: ");
        text.Out.ShouldContain("(2 tokens)");
        text.Out.ShouldContain("continuation log-probability: ");
        text.Out.ShouldContain("\"▁time\"");
    }

    [Fact]
    public void Eval_scores_responses_from_elsewhere_and_reports_the_count()
    {
        using var temp = new Retain.Testing.TempFolder();
        // GSM8K test doc 0 (Janet's ducks) has answer 18; doc 1 (robe) has answer 3.
        var file = temp.File("responses.jsonl", "{\"doc_id\": 0, \"response\": \"She makes 9 * 2 = $18.\\n#### 18\"}\n{\"doc_id\": 1, \"response\": \"The answer is 4.\"}\n");

        var (code, output, error) = TestBuild.Cli(["eval", "--benchmark", "gsm8k", "--responses", file, "--json"]);

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var metrics = json.RootElement.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => (m.GetProperty("value").GetDouble(), m.GetProperty("count").GetInt32()));
        metrics["exact_match,strict-match"].ShouldBe((0.5, 2));
        metrics["exact_match,flexible-extract"].ShouldBe((0.5, 2));
        json.RootElement.GetProperty("notes").EnumerateArray().Single().GetString()!.ShouldStartWith("scored 2 of 1319 items");
    }

    [Fact]
    public void Eval_on_a_model_runs_a_multiple_choice_benchmark_and_caches_it()
    {
        using var temp = new Retain.Testing.TempFolder();
        var environment = new Dictionary<string, string> { ["RETAIN_CACHE_DIR"] = temp.Path };
        string[] args = ["eval", "--model", Stories, "--benchmark", "piqa", "--limit", "20", "--json", "--records", Path.Combine(temp.Path, "records.jsonl")];

        var first = TestBuild.Cli(args, environment);
        var second = TestBuild.Cli(args, environment);

        first.ExitCode.ShouldBe(0, first.Err);
        using var a = JsonDocument.Parse(first.Out);
        using var b = JsonDocument.Parse(second.Out);
        a.RootElement.GetProperty("cached").GetBoolean().ShouldBeFalse();
        b.RootElement.GetProperty("cached").GetBoolean().ShouldBeTrue();
        b.RootElement.GetProperty("metrics").ToString().ShouldBe(a.RootElement.GetProperty("metrics").ToString());
        File.ReadAllLines(Path.Combine(temp.Path, "records.jsonl")).Length.ShouldBe(20);
    }
}
