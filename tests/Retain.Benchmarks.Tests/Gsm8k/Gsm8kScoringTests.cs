using Retain.Benchmarks.Gsm8k;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Datasets.Extraction;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.Gsm8k;

public class Gsm8kScoringTests
{
    private static readonly NamedFilter Strict = Gsm8kBenchmark.StrictMatch;
    private static readonly NamedFilter Flexible = new("flexible-extract", new RegexFilter(@"(-?[$0-9.,]{2,})|(-?[0-9]+)", -1));

    [Theory]
    [InlineData("She pays 3 + 4 = 7 dollars.\n#### 1,080", "1,080")]
    [InlineData("#### -12 and then #### 5", "-12")]
    [InlineData("#### $5", "[invalid]")]
    [InlineData("The answer is 18.", "[invalid]")]
    [InlineData("####  7", "[invalid]")]
    public void Strict_match_takes_the_first_hash_answer(string response, string expected) => Strict.Apply(response).ShouldBe(expected);

    [Theory]
    [InlineData("So she earns $1,080.", "$1,080.")]
    [InlineData("It drops by -5 degrees, total -12", "-12")]
    [InlineData("Answer: 7", "7")]
    [InlineData("no digits here", "[invalid]")]
    [InlineData("3 apples and 42. ", "42.")]
    public void Flexible_extract_takes_the_last_number(string response, string expected) => Flexible.Apply(response).ShouldBe(expected);

    [Theory]
    [InlineData("$1,080.", "Some reasoning <<2*540=1080>>\n#### 1080", true)]
    [InlineData("-12", "#### -12", true)]
    [InlineData("12", "#### -12", false)]
    [InlineData("18.", "#### 18", true)]
    [InlineData("18.0", "#### 18", false)]
    [InlineData("[invalid]", "#### 18", false)]
    [InlineData("1,234,567", "#### 1234567", true)]
    public void Exact_match_removes_commas_dollars_and_a_final_period(string prediction, string answer, bool expected) =>
        ExactMatch.Matches(prediction, answer).ShouldBe(expected);

    [Fact]
    public void Five_shot_prompt_uses_the_drawn_train_answers_and_ends_without_a_space()
    {
        var model = new ScriptedModel { Respond = _ => " x\n#### 0" };
        var context = TestData.Shared(limit: null);
        var train = Gsm8kDoc.Load(Retain.Testing.TestPaths.SharedFile("data", "gsm8k", "train.jsonl"));
        var test = Gsm8kDoc.Load(Retain.Testing.TestPaths.SharedFile("data", "gsm8k", "test.jsonl"));
        var expected = Gsm8kBenchmark.Prompt(test[1], new[] { 7462, 6610, 4769, 286, 5501 }.Select(i => train[i]));
        expected.ShouldStartWith($"Question: {train[7462].Question}\nAnswer: {train[7462].Answer}\n\nQuestion: {train[6610].Question}");
        expected.ShouldEndWith($"\n\nQuestion: {test[1].Question}\nAnswer:");

        new Gsm8kBenchmark(new Gsm8kOptions()).Score([new ResponseRecord(1, "#### 3")], context);
        var records = (ListRecorder)context.Records;
        records.Items.Single().Prompt.ShouldBe(expected);
    }

    [Fact]
    public void Run_generates_greedily_with_the_lm_eval_stops_and_scores_both_filters()
    {
        var test = Gsm8kDoc.Load(Retain.Testing.TestPaths.SharedFile("data", "gsm8k", "test.jsonl"));
        // Doc 0's answer is 18: right there, wrong everywhere else.
        var model = new ScriptedModel
        {
            Respond = r => r.Prompt.EndsWith($"Question: {test[0].Question}\nAnswer:") ? " 16 - 3 - 4 = 9, 9 * 2 = 18\n#### 18" : " I think it is 123456789.",
        };
        var records = new ListRecorder();
        var result = new Gsm8kBenchmark(new Gsm8kOptions()).Run(model, TestData.Shared(records));
        model.Generated.Count.ShouldBe(1319);
        model.Generated.ShouldAllBe(g => g.Settings.Temperature == 0 && g.Settings.MaxNewTokens == 256);
        model.Generated[0].Settings.Stop.ShouldBe(["Question:", "</s>", "<|im_end|>"]);
        result.Metrics.Select(m => m.Name).ShouldBe(["exact_match,flexible-extract", "exact_match,strict-match"]);
        result.Metrics.ShouldAllBe(m => Math.Abs(m.Value - 1.0 / 1319) < 1e-12 && m.Count == 1319);
        records.Items.Where(r => r.Correct).Select(r => r.DocId).ShouldBe([0]);
        result.Primary.StdErr.ShouldBe(Math.Sqrt(1.0 / 1319 * (1 - 1.0 / 1319) / 1318), 1e-12); // sample std / sqrt(n)
    }

    [Fact]
    public void Subsampling_is_seeded_and_keeps_each_docs_own_few_shot_draw()
    {
        var model = new ScriptedModel { Respond = _ => "" };
        new Gsm8kBenchmark(new Gsm8kOptions()).Run(model, TestData.Shared(limit: 3));
        var again = new ScriptedModel { Respond = _ => "" };
        var records = new ListRecorder();
        new Gsm8kBenchmark(new Gsm8kOptions()).Run(again, TestData.Shared(records, limit: 3));
        again.Generated.Select(g => g.Prompt).ShouldBe(model.Generated.Select(g => g.Prompt));
        var full = new ScriptedModel { Respond = _ => "" };
        var fullRecords = new ListRecorder();
        new Gsm8kBenchmark(new Gsm8kOptions()).Run(full, TestData.Shared(fullRecords));
        foreach (var item in records.Items)
        {
            item.Prompt.ShouldBe(fullRecords.Items.Single(r => r.DocId == item.DocId).Prompt);
        }
    }

    [Fact]
    public void Responses_fixture_scores_to_the_known_verdicts()
    {
        var lines = File.ReadAllLines(Path.Combine(TestData.Fixtures, "responses", "gsm8k.jsonl"));
        var parsed = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        var responses = parsed.Select(e => new ResponseRecord(e.GetProperty("doc_id").GetInt32(), e.GetProperty("response").GetString()!)).ToList();
        var records = new ListRecorder();
        var result = new Gsm8kBenchmark(new Gsm8kOptions()).Score(responses, TestData.Shared(records));
        for (int i = 0; i < parsed.Count; i++)
        {
            var item = records.Items.Single(r => r.DocId == responses[i].DocId);
            ((bool)item.Details["strict-match_correct"]!).ShouldBe(parsed[i].GetProperty("strict").GetBoolean(), $"doc {responses[i].DocId} strict");
            item.Correct.ShouldBe(parsed[i].GetProperty("flexible").GetBoolean(), $"doc {responses[i].DocId} flexible");
        }
        // Doc 5 runs on into a new "Question:"; the stop string cuts it, or flexible-extract would read 3.
        records.Items.Single(r => r.DocId == 5).Response.ShouldNotContain("Question:");
        result.Metrics[0].ShouldBe(new MetricValue("exact_match,flexible-extract", 4 / 6.0, Math.Sqrt(4 / 6.0 * (2 / 6.0) / 5), 6), new MetricComparer());
        result.Metrics[1].Value.ShouldBe(4 / 6.0, 1e-12);
    }

    [Fact]
    public void Responses_with_unknown_doc_ids_are_rejected_by_id()
    {
        var e = Should.Throw<Retain.Data.DataException>(() =>
            new Gsm8kBenchmark(new Gsm8kOptions()).Score([new ResponseRecord(5000, "x")], TestData.Shared()));
        e.Message.ShouldContain("5000");
    }

    [Fact]
    public void Chat_variant_renders_the_instruction_with_the_template_and_finds_the_final_answer()
    {
        var model = new ScriptedModel { ChatTemplate = true, Respond = _ => "9 eggs at $2.\nThe final answer is $18" };
        var records = new ListRecorder();
        var result = new Gsm8kChatBenchmark(new Gsm8kChatOptions()).Run(model, TestData.Shared(records, limit: 5));
        model.Generated.ShouldAllBe(g => g.Prompt.StartsWith("<|user|>Given the following problem, reason and give a final answer to the problem.\nProblem: ") && g.Prompt.EndsWith("<|end|><|assistant|>") && !g.AddSpecialTokens);
        records.Items.ShouldAllBe(r => (string)r.Details["strict-match"]! == "$18");
        result.Metrics.Select(m => m.Name).ShouldBe(["exact_match,flexible-extract", "exact_match,strict-match"]);
        Should.Throw<InvalidOperationException>(() => new Gsm8kChatBenchmark(new Gsm8kChatOptions()).Run(new ScriptedModel(), TestData.Shared(limit: 1)))
            .Message.ShouldContain("chat template");
    }
}

internal sealed class MetricComparer : IEqualityComparer<MetricValue>
{
    public bool Equals(MetricValue? x, MetricValue? y) => x is not null && y is not null && x.Name == y.Name && x.Count == y.Count
        && Math.Abs(x.Value - y.Value) < 1e-12 && (double.IsNaN(x.StdErr) ? double.IsNaN(y.StdErr) : Math.Abs(x.StdErr - y.StdErr) < 1e-12);
    public int GetHashCode(MetricValue obj) => obj.Name.GetHashCode();
}
