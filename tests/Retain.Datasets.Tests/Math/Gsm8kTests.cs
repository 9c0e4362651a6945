using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Extraction;
using Retain.Datasets.MathProblems;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.MathProblems;

public sealed class Gsm8kTests
{
    private static DatasetSplits Load(Gsm8kOptions options, int seed = 1234) => new Gsm8kDataset(options).Load(TestData.Context(seed));

    [Fact]
    public void Real_files_give_7473_train_and_1319_test_rows()
    {
        var splits = Load(new Gsm8kOptions { ValidationFraction = 0.05 });
        splits.Report.RowsRead.ShouldBe(7473 + 1319);
        splits.Report.Rejected.ShouldBeEmpty();
        splits.Test.Count.ShouldBe(1319);
        splits.Validation.Count.ShouldBe(374); // round(7473 × 0.05) = round(373.65)
        splits.Train.Count.ShouldBe(7473 - 374);
        splits.Train.Select(e => e.Id).Intersect(splits.Validation.Select(e => e.Id)).ShouldBeEmpty();

        var first = splits.Test[0];
        first.Id.ShouldBe("test:1");
        first.Source.ShouldBe("test.jsonl:1");
        first.Prompt.ShouldBe([ChatMessage.User("Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?")]);
        first.Target.ShouldBe("Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day at the farmer\u2019s market.\n#### 18");
        first.Reference.ShouldBe("18");
    }

    [Fact]
    public void Calculator_annotations_can_be_removed_and_prompts_templated()
    {
        var splits = Load(new Gsm8kOptions { KeepCalculatorAnnotations = false, PromptTemplate = "Question: {question}\nAnswer:", SystemPrompt = "Solve it.", ValidationFraction = 0 });
        var first = splits.Test[0];
        first.Target.ShouldBe("Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer\u2019s market.\n#### 18");
        first.Prompt[0].ShouldBe(ChatMessage.System("Solve it."));
        first.Prompt[1].Content.ShouldStartWith("Question: Janet\u2019s ducks");
        first.Prompt[1].Content.ShouldEndWith("farmers' market?\nAnswer:");
        splits.Report.Notes.ShouldContain(n => n.Contains("annotations"));
    }

    [Fact]
    public void A_subset_file_with_the_same_schema_loads()
    {
        var splits = Load(new Gsm8kOptions { TrainPath = "gsm8k/subset.jsonl", TestPath = "gsm8k/subset.jsonl", ValidationFraction = 0.2 });
        splits.Train.Count.ShouldBe(4);
        splits.Validation.Count.ShouldBe(1);
        splits.Test.Count.ShouldBe(5);
        splits.Test[0].Reference.ShouldBe("72");
    }

    [Fact]
    public void Same_seed_same_validation_rows()
    {
        var a = Load(new Gsm8kOptions());
        var b = Load(new Gsm8kOptions());
        var c = Load(new Gsm8kOptions(), seed: 5);
        b.Validation.Select(e => e.Id).ShouldBe(a.Validation.Select(e => e.Id));
        c.Validation.Select(e => e.Id).ShouldNotBe(a.Validation.Select(e => e.Id));
    }

    [Fact]
    public void Bad_rows_are_reported_with_line_and_reason()
    {
        var splits = Load(new Gsm8kOptions { TrainPath = "gsm8k/bad_rows.jsonl", TestPath = "gsm8k/subset.jsonl", ValidationFraction = 0, BadRows = BadRowPolicy.Skip });
        splits.Train.Select(e => e.Id).ShouldBe(["bad_rows:1", "bad_rows:8"]);
        splits.Report.RowsRead.ShouldBe(7 + 5);
        splits.Report.Rejected.Select(r => (r.Line, r.Reason.Split(':')[0])).ShouldBe(
        [
            (3, "the answer has no final '#### N' line to grade against"),
            (4, "missing or empty 'question'"),
            (5, "empty target"),
            (6, "invalid JSON (line 6, byte 39)"),
            (7, "the field 'question' is a JSON array, not a string"),
        ]);
        Should.Throw<DataException>(() => Load(new Gsm8kOptions { TrainPath = "gsm8k/bad_rows.jsonl" }))
            .Message.ShouldContain("bad_rows.jsonl:3: the answer has no final '#### N' line");
    }

    [Fact]
    public void Filters_and_exact_match_agree_with_the_python_reference()
    {
        using var fixture = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("gsm8k", "gsm8k_filter_cases.json")));
        var test = Load(new Gsm8kOptions { ValidationFraction = 0 }).Test;
        var evaluator = new Gsm8kEvaluator(256);
        int checkedCases = 0;
        foreach (var c in fixture.RootElement.GetProperty("cases").EnumerateArray())
        {
            string response = c.GetProperty("response").GetString()!;
            Gsm8kAnswers.Strict.Apply(response).ShouldBe(c.GetProperty("strict").GetString(), response);
            Gsm8kAnswers.Flexible.Apply(response).ShouldBe(c.GetProperty("flexible").GetString(), response);
            var verdict = evaluator.Grade(test[c.GetProperty("doc").GetInt32()], response);
            verdict.Correct.ShouldBe(c.GetProperty("flexible_correct").GetBoolean(), response);
            verdict.Metrics[Gsm8kEvaluator.StrictMetric].ShouldBe(c.GetProperty("strict_correct").GetBoolean() ? 1 : 0, response);
            checkedCases++;
        }
        checkedCases.ShouldBe(680);
    }

    [Theory]
    [InlineData("#### 1,080", "1080", true, true)]
    [InlineData("The answer is $1,080.", "1080", false, true)]
    [InlineData("#### 18\nand 19", "18", true, false)] // flexible takes the last number
    [InlineData("nothing", "18", false, false)]
    public void Strict_and_flexible_are_scored_separately(string response, string reference, bool strict, bool flexible)
    {
        var example = new Example { Id = "x", Prompt = [ChatMessage.User("q")], Target = "t", Reference = reference };
        var verdict = new Gsm8kEvaluator(16).Grade(example, response);
        verdict.Correct.ShouldBe(flexible);
        verdict.Metrics[Gsm8kEvaluator.StrictMetric].ShouldBe(strict ? 1 : 0);
    }

    [Fact]
    public void Summary_headlines_flexible_and_reports_strict()
    {
        var examples = Enumerable.Range(0, 4).Select(i => new Example { Id = $"{i}", Prompt = [ChatMessage.User("q")], Target = "t", Reference = "7" }).ToList();
        var evaluator = new Gsm8kEvaluator(16);
        var verdicts = new[] { "#### 7", "so 7", "so 8", "#### 7.00" }.Select((r, i) => evaluator.Grade(examples[i], r)).ToList();
        var score = evaluator.Summarize(examples, verdicts);
        score.Metric.ShouldBe("exact_match,flexible-extract");
        score.Value.ShouldBe(0.5); // "7.00" is not "7" for exact_match
        score.Details["exact_match,strict-match"].ShouldBe(0.25);
        score.Details["exact_match,flexible-extract_stderr"].ShouldBe(Math.Sqrt(0.25 / 3), 1e-12);
        evaluator.Generation.Stop.ShouldBe(["Question:", "</s>", "<|im_end|>"]);
    }

    [Fact]
    public void Prompt_template_must_hold_the_question()
    {
        var validator = new MathOptionsValidator<Gsm8kOptions>();
        validator.Validate(null, new Gsm8kOptions()).Succeeded.ShouldBeTrue();
        validator.Validate(null, new Gsm8kOptions { PromptTemplate = "Solve:" }).FailureMessage!.ShouldContain("promptTemplate must contain {question}");
    }
}
