using Retain.Data;
using Retain.Datasets.MathProblems;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.MathProblems;

public sealed class MetaMathQaTests
{
    private static DatasetSplits Load(MetaMathQaOptions options) => new MetaMathQaDataset(options).Load(TestData.Context());

    [Fact]
    public void Reads_the_json_array_schema_and_evaluates_on_gsm8k_test()
    {
        var splits = Load(new MetaMathQaOptions { TrainPath = "metamathqa/MetaMathQA-sample.json", ValidationFraction = 0 });
        splits.Train.Count.ShouldBe(6);
        splits.Test.Count.ShouldBe(1319);
        splits.Report.RowsRead.ShouldBe(6 + 1319);
        var first = splits.Train[0];
        first.Id.ShouldBe("MetaMathQA-sample:2");
        first.Source.ShouldBe("MetaMathQA-sample.json:2");
        first.Prompt.ShouldBe([ChatMessage.User("Gretchen has 110 coins. There are 30 more gold coins than silver coins. How many gold coins does Gretchen have?")]);
        first.Target.ShouldEndWith("#### 70\nThe answer is: 70");
        first.Reference.ShouldBe("70");
        first.Metadata["type"].ShouldBe("GSM_AnsAug");
        splits.Train[2].Reference.ShouldBe("\\frac{5}{6}");
    }

    [Fact]
    public void Types_filter_keeps_the_named_types_and_notes_the_rest()
    {
        var splits = Load(new MetaMathQaOptions { TrainPath = "metamathqa/MetaMathQA-sample.json", ValidationFraction = 0, Types = ["GSM_AnsAug", "GSM_SV"] });
        splits.Train.Select(e => e.Metadata["type"]).ShouldBe(["GSM_AnsAug", "GSM_SV", "GSM_AnsAug"]);
        splits.Report.Notes.ShouldContain(n => n.StartsWith("3 rows of"));
    }

    [Fact]
    public void A_model_answering_the_metamath_way_is_credited_by_flexible_extract_only()
    {
        var splits = Load(new MetaMathQaOptions { TrainPath = "metamathqa/MetaMathQA-sample.json", ValidationFraction = 0 });
        var evaluator = new MetaMathQaDataset(new MetaMathQaOptions()).CreateEvaluator(TestData.Context());
        var verdict = evaluator.Grade(splits.Test[0], "16 - 3 - 4 = 9, 9 * 2 = 18.\nThe answer is: 18");
        verdict.Correct.ShouldBeTrue();
        verdict.Metrics["exact_match,strict-match"].ShouldBe(0);
    }

    [Fact]
    public void Rows_without_a_final_answer_or_response_are_rejected()
    {
        var splits = Load(new MetaMathQaOptions { TrainPath = "metamathqa/bad_rows.jsonl", ValidationFraction = 0, BadRows = BadRowPolicy.Skip });
        splits.Train.Count.ShouldBe(1);
        splits.Report.Rejected.Select(r => r.Line).ShouldBe([2, 3]);
        splits.Report.Rejected[0].Reason.ShouldContain("The answer is");
        splits.Report.Rejected[1].Reason.ShouldStartWith("empty target");
    }
}
