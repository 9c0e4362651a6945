using System.ComponentModel.DataAnnotations;
using Retain.Data;
using Retain.Datasets.MedCalc;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.MedCalc;

public sealed class MedCalcDatasetTests
{
    private static DatasetSplits Load(MedCalcOptions options, int seed = 1234) => new MedCalcDataset(options).Load(TestData.Context(seed));

    [Fact]
    public void One_file_is_split_per_calculator_disjointly_and_reproducibly()
    {
        var options = new MedCalcOptions { TestFraction = 0.3, ValidationFraction = 0.1 };
        var splits = Load(options);

        // 50 calculators with 20 rows give 6 test + 2 validation each; those with 19, 16, 5, 5 and 2 rows give
        // 6+2, 5+2, 2+1, 2+1 and 1+0 (round half away from zero).
        splits.Test.Count.ShouldBe(316);
        splits.Validation.Count.ShouldBe(106);
        splits.Train.Count.ShouldBe(625);
        splits.Report.RowsRead.ShouldBe(1047);
        splits.Report.Rejected.ShouldBeEmpty();

        var ids = splits.Train.Concat(splits.Validation).Concat(splits.Test).Select(e => e.Id).ToList();
        ids.Distinct().Count().ShouldBe(1047);
        splits.Test.Select(e => e.Metadata["calculator_id"]).Distinct().Count().ShouldBe(55);

        var again = Load(options);
        again.Test.Select(e => e.Id).ShouldBe(splits.Test.Select(e => e.Id));
        again.Validation.Select(e => e.Id).ShouldBe(splits.Validation.Select(e => e.Id));

        var otherSeed = Load(options, seed: 99);
        otherSeed.Test.Select(e => e.Id).ShouldNotBe(splits.Test.Select(e => e.Id));
        Load(new MedCalcOptions { TestFraction = 0.3, ValidationFraction = 0.1, Seed = 99 }).Test.Select(e => e.Id).ShouldBe(otherSeed.Test.Select(e => e.Id));
    }

    [Fact]
    public void Examples_carry_the_zero_shot_prompt_the_json_target_and_grading_metadata()
    {
        var splits = Load(new MedCalcOptions());
        var first = splits.Train.Concat(splits.Validation).Concat(splits.Test).Single(e => e.Id == "test_data:1");
        first.Source.ShouldBe("test_data.csv:2");
        first.Prompt.Select(m => m.Role).ShouldBe(["system", "user"]);
        first.Prompt[1].Content.ShouldStartWith("Here is the patient note:\nAn 87-year-old man");
        first.Prompt[1].Content.ShouldEndWith("\"answer\": str(short_and_direct_answer_of_the_question)}:");
        first.Target.ShouldStartWith("{\"step_by_step_thinking\": \"The formula for computing Cockcroft-Gault is given by");
        first.Target.ShouldEndWith("creatinine clearance is 25.238 mL/min.\", \"answer\": \"25.238\"}");
        first.ResponsePrefix.ShouldBe("");
        first.Reference.ShouldBe("25.238");
        first.Metadata["calculator_id"].ShouldBe("2");
        first.Metadata["category"].ShouldBe("lab");
        first.Metadata["answer_kind"].ShouldBe("decimal");
        first.Metadata["lower_limit"].ShouldBe("23.9761");
        first.Metadata["upper_limit"].ShouldBe("26.4999");
    }

    [Fact]
    public void Paper_style_prefills_the_think_block_and_targets_the_answer_tags()
    {
        var e = Load(new MedCalcOptions { PromptStyle = MedCalcPromptStyle.Paper }).Test[0];
        e.Prompt[0].Content.ShouldBe(MedCalcPrompts.PaperSystem);
        e.Prompt[1].Content.ShouldContain("Here is the task:\n");
        e.ResponsePrefix.ShouldBe("Let me solve this step by step.\n<think>");
        e.Target.ShouldStartWith("\n");
        e.Target.ShouldEndWith($"\n</think>\n<answer>\n{{\"answer\": \"{e.Reference}\"}}\n</answer>");
    }

    [Fact]
    public void A_train_file_gives_train_and_validation_and_the_test_file_stays_whole()
    {
        var splits = Load(new MedCalcOptions { TrainPath = "medcalc/train_small.csv", ValidationFraction = 0.5 });
        splits.Test.Count.ShouldBe(1047);
        splits.Report.RowsRead.ShouldBe(1047 + 6);
        // Calculator 2 has two rows (one to validation); 4, 13, 69 and 38 have one each (round(0.5) = 1 to validation).
        (splits.Train.Count + splits.Validation.Count).ShouldBe(6);
        splits.Validation.Count.ShouldBe(5);
        var cha2ds2 = splits.Train.Concat(splits.Validation).Single(e => e.Metadata["calculator_id"] == "4");
        cha2ds2.Prompt[1].Content.ShouldContain("A 70-year-old woman with \"atrial fibrillation\" and hypertension.");
        cha2ds2.Target.ShouldContain("Hypertension: +1.\\r\\n\\r\\nTotal: 3... plus 1 = 4.");
        var note = splits.Train.Concat(splits.Validation).Single(e => e.Id == "train_small:1").Prompt[1].Content;
        note.ShouldContain("A 60-year-old man, 70 kg, 170 cm.\r\nCreatinine 1.0 mg/dL.");
    }

    [Fact]
    public void Bad_rows_are_skipped_and_reported_with_file_line_and_reason()
    {
        var splits = Load(new MedCalcOptions { TestPath = "medcalc/bad_rows.csv", BadRows = BadRowPolicy.Skip, TestFraction = 0, ValidationFraction = 0 });
        splits.Train.Select(e => e.Id).ShouldBe(["bad_rows:1", "bad_rows:11"]);
        splits.Report.RowsRead.ShouldBe(11);
        var rejected = splits.Report.Rejected;
        rejected.Select(r => r.Line).ShouldBe([3, 4, 5, 6, 7, 8, 9, 10, 11]);
        rejected.ShouldAllBe(r => r.File.EndsWith("bad_rows.csv"));
        rejected[0].Reason.ShouldBe("Calculator ID 1 has no grading rule in MedCalc-Bench's evaluate.py");
        rejected[1].Reason.ShouldBe("Calculator ID 'two' is not an integer");
        rejected[2].Reason.ShouldBe("empty target: the Ground Truth Explanation is empty");
        rejected[3].Reason.ShouldBe("Ground Truth Answer '3.5' is not a whole number, so no rounded answer can match it");
        rejected[4].Reason.ShouldContain("Lower Limit 11 exceeds Upper Limit 9");
        rejected[5].Reason.ShouldStartWith("malformed CSV: a quote appears inside an unquoted field on line 8");
        rejected[6].Reason.ShouldBe("the row has 12 fields but the header has 14");
        rejected[7].Reason.ShouldContain("day is out of range");
        rejected[8].Reason.ShouldBe("empty Patient Note");
    }

    [Fact]
    public void Early_variant_with_float_integer_answers_loads_and_grades_its_own_targets()
    {
        // The 2024-06-14 file writes some integer answers as 160.0 (evaluate.py: round(160.0) == 160.0 holds) and
        // gives calculator 69 the 'date' output type; grading goes by calculator id, so every row stays gradable.
        var splits = Load(new MedCalcOptions { TestPath = "medcalc_bench/test_data.early_2024-06-14.csv", BadRows = BadRowPolicy.Skip, TestFraction = 0, ValidationFraction = 0 });
        splits.Report.RowsRead.ShouldBe(1047);
        splits.Report.Rejected.ShouldBeEmpty();
        splits.Train.Count.ShouldBe(1047);
        var evaluator = new MedCalcEvaluator(16);
        var verdicts = splits.Train.Select(e => evaluator.Grade(e, e.Target)).ToList();
        verdicts.ShouldAllBe(v => v.Correct);
        splits.Train.ShouldContain(e => e.Reference == "160.0");
    }

    [Fact]
    public void Direct_answer_style_does_not_need_explanations()
    {
        var splits = Load(new MedCalcOptions { TestPath = "medcalc/bad_rows.csv", BadRows = BadRowPolicy.Skip, TestFraction = 0, ValidationFraction = 0, PromptStyle = MedCalcPromptStyle.DirectAnswer });
        splits.Train.Select(e => e.Id).ShouldBe(["bad_rows:1", "bad_rows:4", "bad_rows:11"]);
        splits.Train[1].Target.ShouldBe("{\"answer\": \"4\"}");
    }

    [Fact]
    public void Bad_rows_fail_the_load_by_default_naming_file_and_line()
    {
        var error = Should.Throw<DataException>(() => Load(new MedCalcOptions { TestPath = "medcalc/bad_rows.csv" }));
        error.Message.ShouldContain("bad_rows.csv:3: Calculator ID 1 has no grading rule");
        error.Message.ShouldContain("badRows");
    }

    [Fact]
    public void Missing_file_is_a_data_error_naming_the_path()
    {
        Should.Throw<DataException>(() => Load(new MedCalcOptions { TestPath = "medcalc/nope.csv" })).Message.ShouldContain("medcalc/nope.csv");
    }

    [Fact]
    public void Options_are_validated_with_messages_naming_the_option()
    {
        var validator = new MedCalcOptionsValidator();
        validator.Validate(null, new MedCalcOptions()).Succeeded.ShouldBeTrue();
        var fractions = validator.Validate(null, new MedCalcOptions { TestFraction = 0.6, ValidationFraction = 0.4 });
        fractions.Failed.ShouldBeTrue();
        fractions.FailureMessage.ShouldContain("validationFraction (0.4) + testFraction (0.6)");
        validator.Validate(null, new MedCalcOptions { TrainPath = "x.csv", TestFraction = 0.9, ValidationFraction = 0.4 }).Succeeded.ShouldBeTrue();

        var results = new List<ValidationResult>();
        var invalid = new MedCalcOptions { ValidationFraction = 1.5, MaxNewTokens = 0 };
        Validator.TryValidateObject(invalid, new ValidationContext(invalid), results, true).ShouldBeFalse();
        results.SelectMany(r => r.MemberNames).ShouldBe(["ValidationFraction", "MaxNewTokens"], ignoreOrder: true);
    }
}
