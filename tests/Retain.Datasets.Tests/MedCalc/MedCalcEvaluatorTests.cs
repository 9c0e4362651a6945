using Retain.Data;
using Retain.Datasets.MedCalc;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.MedCalc;

public sealed class MedCalcEvaluatorTests
{
    [Fact]
    public void Summary_breaks_accuracy_down_by_category_calculator_and_answer_kind()
    {
        var splits = new MedCalcDataset(new MedCalcOptions { TrainPath = "medcalc/train_small.csv", ValidationFraction = 0 }).Load(TestData.Context());
        var examples = splits.Train; // calculators 2 (x2), 4, 13, 69, 38
        var evaluator = new MedCalcEvaluator(128);
        string Answer(string value) => $"{{\"step_by_step_thinking\": \"...\", \"answer\": \"{value}\"}}";
        var responses = new Dictionary<string, string>
        {
            ["train_small:1"] = Answer("77.0"),        // within 73.8891..81.6669
            ["train_small:2"] = Answer("3"),           // CHA2DS2-VASc 4: wrong
            ["train_small:3"] = Answer("10/7/2020"),   // due date: right
            ["train_small:4"] = Answer("(8, 4)"),      // gestational age: right
            ["train_small:5"] = Answer("-0.9"),        // -0.8694..-0.7866: wrong
            ["train_small:6"] = "I cannot tell.",      // no answer
        };
        var verdicts = examples.Select(e => evaluator.Grade(e, responses[e.Id])).ToList();
        verdicts.Select(v => v.Correct).ShouldBe([true, false, true, true, false, false]);
        verdicts[5].Extracted.ShouldBe("N/A");

        var score = evaluator.Summarize(examples, verdicts);
        score.Metric.ShouldBe("accuracy");
        score.Value.ShouldBe(0.5);
        score.Count.ShouldBe(6);
        score.Details["accuracy/category=lab"].ShouldBe(1.0 / 3);
        score.Details["accuracy/category=risk"].ShouldBe(0);
        score.Details["accuracy/category=date"].ShouldBe(1);
        score.Details["count/category=lab"].ShouldBe(3);
        score.Details["accuracy/calculator=2"].ShouldBe(0.5);
        score.Details["accuracy/calculator=69"].ShouldBe(1);
        score.Details["accuracy/answer_kind=weeks-days"].ShouldBe(1);
        score.Details["accuracy/answer_kind=decimal"].ShouldBe(1.0 / 3);
        score.Details["accuracy_stderr"].ShouldBe(Math.Sqrt(0.25 / 6), 1e-12);
        score.Details["extracted_rate"].ShouldBe(5.0 / 6);
    }

    [Fact]
    public void The_response_prefix_is_part_of_what_is_graded()
    {
        var example = new Example
        {
            Id = "x",
            Prompt = [ChatMessage.User("q")],
            Target = "t",
            ResponsePrefix = "{\"answer\": ",
            Reference = "4",
            Metadata = new Dictionary<string, string> { ["calculator_id"] = "4", ["lower_limit"] = "4", ["upper_limit"] = "4" },
        };
        new MedCalcEvaluator(16).Grade(example, "\"4\"}").ShouldBe(new Verdict("4", true));
    }

    [Fact]
    public void Generation_uses_the_configured_budget()
    {
        new MedCalcDataset(new MedCalcOptions { MaxNewTokens = 777 }).CreateEvaluator(TestData.Context()).Generation.MaxNewTokens.ShouldBe(777);
    }
}
