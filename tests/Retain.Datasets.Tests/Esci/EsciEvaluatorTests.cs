using Retain.Data;
using Retain.Datasets.Esci;
using Retain.Datasets.Scoring;

namespace Retain.Datasets.Tests.Esci;

public sealed class EsciEvaluatorTests
{
    private static Example Gold(string label, string prefix = "<answer>") => new()
    {
        Id = label,
        Prompt = [ChatMessage.User("q")],
        Target = "t",
        Reference = label,
        ResponsePrefix = prefix,
    };

    [Theory]
    [InlineData("<answer>", "0</answer>", "0", "Exact")]
    [InlineData("<answer>", "1", "1", "Substitute")] // stopped before the closing tag
    [InlineData("", "<answer>[2]</answer>", "2", "Complement")]
    [InlineData("", "<answer> Irrelevant </answer>", "Irrelevant", "Irrelevant")]
    [InlineData("", "<ANSWER>s</ANSWER>", "s", "Substitute")]
    [InlineData("<think>", "\nIt is a charger.\n</think>\n<answer>0</answer>", "0", "Exact")]
    [InlineData("", "<answer>3</answer> on second thought <answer>1</answer>", "1", "Substitute")]
    [InlineData("", "<answer>one_of_[0, 1, 2, 3]</answer>", null, "invalid")]
    [InlineData("", "<answer>5</answer>", null, "invalid")]
    [InlineData("", "<answer>Exactly</answer>", null, "invalid")]
    [InlineData("", "Exact", null, "invalid")]
    public void Answers_are_read_as_numbers_letters_or_names(string prefix, string response, string? extracted, string label)
    {
        var verdict = new EsciEvaluator(16).Grade(Gold("Exact", prefix), response);
        verdict.Extracted.ShouldBe(extracted);
        verdict.Label.ShouldBe(label);
        verdict.Correct.ShouldBe(label == "Exact");
    }

    [Fact]
    public void Balanced_accuracy_recall_and_confusion_on_a_hand_computed_matrix()
    {
        // gold → predictions:
        //   Exact (5):      Exact ×4, Substitute ×1          recall 4/5
        //   Substitute (3): Exact ×1, Substitute ×2          recall 2/3
        //   Complement (2): Complement ×1, invalid ×1        recall 1/2
        //   Irrelevant (2): Exact ×2                         recall 0
        // balanced accuracy = (0.8 + 0.6667 + 0.5 + 0) / 4 = 0.491667; accuracy = 7/12.
        var pairs = new (string Gold, string Response)[]
        {
            ("Exact", "0"), ("Exact", "0"), ("Exact", "0"), ("Exact", "0"), ("Exact", "1"),
            ("Substitute", "0"), ("Substitute", "1"), ("Substitute", "1"),
            ("Complement", "2"), ("Complement", "maybe"),
            ("Irrelevant", "0"), ("Irrelevant", "0"),
        };
        var evaluator = new EsciEvaluator(16);
        var examples = pairs.Select(p => Gold(p.Gold)).ToList();
        var verdicts = pairs.Select((p, i) => evaluator.Grade(examples[i], p.Response + "</answer>")).ToList();
        var score = evaluator.Summarize(examples, verdicts);

        score.Metric.ShouldBe("balanced_accuracy");
        score.Value.ShouldBe((0.8 + 2.0 / 3 + 0.5 + 0) / 4, 1e-12);
        score.Count.ShouldBe(12);
        score.Details["accuracy"].ShouldBe(7.0 / 12, 1e-12);
        score.Details["recall/Exact"].ShouldBe(0.8, 1e-12);
        score.Details["recall/Substitute"].ShouldBe(2.0 / 3, 1e-12);
        score.Details["recall/Complement"].ShouldBe(0.5);
        score.Details["recall/Irrelevant"].ShouldBe(0);
        score.Details["support/Exact"].ShouldBe(5);
        score.Details["invalid_rate"].ShouldBe(1.0 / 12, 1e-12);
        score.Details.ContainsKey("recall/invalid").ShouldBeFalse();

        var confusion = score.Confusion!;
        confusion.Keys.ShouldBe(["Complement", "Exact", "Irrelevant", "Substitute"], ignoreOrder: true);
        confusion["Exact"]["Exact"].ShouldBe(4);
        confusion["Exact"]["Substitute"].ShouldBe(1);
        confusion["Substitute"]["Exact"].ShouldBe(1);
        confusion["Complement"]["invalid"].ShouldBe(1);
        confusion["Irrelevant"]["Exact"].ShouldBe(2);
        confusion["Irrelevant"]["Irrelevant"].ShouldBe(0);
        confusion.Values.Sum(row => row.Values.Sum()).ShouldBe(12);
    }

    [Fact]
    public void Classes_absent_from_the_gold_labels_do_not_count()
    {
        // sklearn: balanced_accuracy_score(["E","E","S"], ["E","C","S"]) = (1/2 + 1) / 2 = 0.75.
        var score = Classification.Score(["E", "E", "S"], ["E", "C", "S"]);
        score.BalancedAccuracy.ShouldBe(0.75);
        score.Recall.Keys.ShouldBe(["E", "S"], ignoreOrder: true);
        score.Confusion["E"]["C"].ShouldBe(1);
    }

    [Fact]
    public void Budget_depends_on_the_variant()
    {
        var context = Support.TestData.Context();
        new EsciDataset(new EsciOptions()).CreateEvaluator(context).Generation.MaxNewTokens.ShouldBe(16);
        new EsciDataset(new EsciOptions { Variant = EsciVariant.Cot }).CreateEvaluator(context).Generation.MaxNewTokens.ShouldBe(1024);
        new EsciDataset(new EsciOptions { MaxNewTokens = 40 }).CreateEvaluator(context).Generation.MaxNewTokens.ShouldBe(40);
    }
}
