using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Retain.Data;
using Retain.Datasets.MedCalc;
using Retain.Datasets.MedCalc.Grading;
using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;
using Retain.Testing;

namespace Retain.Datasets.Tests.MedCalc;

/// <summary>
/// Compares the C# grading with the Python reference (Fixtures/medcalc/make_medcalc_fixture.py, real Python eval,
/// round, str(float) and strptime) on the real test file.
/// </summary>
public sealed class MedCalcReferenceTests
{
    private static readonly Lazy<JsonDocument> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(TestData.Fixture("medcalc", "medcalc_grading_cases.json"))));

    private static readonly Lazy<Dictionary<string, MedCalcRow>> Rows = new(() =>
    {
        var report = new DataReport();
        return MedCalcRow.ReadAll(TestPaths.SharedFile("data", "medcalc_bench", "test_data.csv"), DataSplit.Test, new RowIssues(BadRowPolicy.Fail, report), report, true)
            .ToDictionary(r => r.RowNumber);
    });

    [Fact]
    public void Ground_truth_targets_grade_100_percent_and_match_python_json_dumps()
    {
        var targets = Fixture.Value.RootElement.GetProperty("targets").EnumerateArray().ToList();
        targets.Count.ShouldBe(1047);
        int correct = 0;
        foreach (var expected in targets)
        {
            var row = Rows.Value[expected.GetProperty("row").GetString()!];
            string target = MedCalcPrompts.Target(MedCalcPromptStyle.ZeroShot, row);
            Sha256(target).ShouldBe(expected.GetProperty("sha256").GetString(), $"row {row.RowNumber} target differs from json.dumps");

            var extracted = MedCalcAnswer.Extract(target, row.CalculatorId, out _);
            bool ok = MedCalcGrading.IsCorrect(extracted, row.GroundTruthAnswer, row.CalculatorId, row.UpperLimit, row.LowerLimit);
            extracted.ShouldBe(expected.GetProperty("extracted").GetString(), $"row {row.RowNumber}");
            ok.ShouldBe(expected.GetProperty("correct").GetBoolean());
            if (ok) correct++;
        }
        correct.ShouldBe(1047);
    }

    [Fact]
    public void Every_prompt_style_target_grades_its_own_ground_truth_as_correct()
    {
        var evaluator = new MedCalcEvaluator(64);
        foreach (var style in Enum.GetValues<MedCalcPromptStyle>())
        {
            var splits = new MedCalcDataset(new MedCalcOptions { PromptStyle = style, TestFraction = 0.3, ValidationFraction = 0.1 }).Load(TestData.Context());
            var all = splits.Train.Concat(splits.Validation).Concat(splits.Test).ToList();
            all.Count.ShouldBe(1047);
            // The host hands the evaluator the continuation after the response prefix: the target itself.
            var verdicts = all.Select(e => evaluator.Grade(e, e.Target)).ToList();
            evaluator.Summarize(all, verdicts).Value.ShouldBe(1.0, $"{style}");
        }
    }

    [Fact]
    public void Prompts_match_the_python_reference()
    {
        var exemplars = MedCalcExemplars.Load(TestPaths.SharedFile("data", "medcalc_bench", "one_shot_finalized_explanation.json"));
        foreach (var expected in Fixture.Value.RootElement.GetProperty("prompts").EnumerateArray())
        {
            var row = Rows.Value[expected.GetProperty("row").GetString()!];
            foreach (var style in new[] { MedCalcPromptStyle.ZeroShot, MedCalcPromptStyle.DirectAnswer, MedCalcPromptStyle.OneShot })
            {
                var messages = MedCalcPrompts.Prompt(style, row, exemplars[row.CalculatorId]);
                messages.Select(m => m.Role).ShouldBe(["system", "user"]);
                var hashes = expected.GetProperty(style.ToString()).EnumerateArray().Select(h => h.GetString()).ToList();
                Sha256(messages[0].Content).ShouldBe(hashes[0], $"{style} system, row {row.RowNumber}");
                Sha256(messages[1].Content).ShouldBe(hashes[1], $"{style} user, row {row.RowNumber}");
            }
        }
    }

    [Fact]
    public void Perturbed_and_hand_made_responses_grade_as_in_python()
    {
        var cases = Fixture.Value.RootElement.GetProperty("cases").EnumerateArray().ToList();
        cases.Count.ShouldBeGreaterThan(2000);
        var mismatches = new List<string>();
        foreach (var c in cases)
        {
            int calculator;
            string truth, lower, upper;
            if (c.TryGetProperty("row", out var rowNumber))
            {
                var row = Rows.Value[rowNumber.GetString()!];
                (calculator, truth, lower, upper) = (row.CalculatorId, row.GroundTruthAnswer, row.LowerLimit, row.UpperLimit);
            }
            else
            {
                (calculator, truth, lower, upper) = (c.GetProperty("calculator").GetInt32(), c.GetProperty("truth").GetString()!, c.GetProperty("lower").GetString()!, c.GetProperty("upper").GetString()!);
            }
            string response = c.GetProperty("response").GetString()!;
            var extracted = MedCalcAnswer.Extract(response, calculator, out _);
            bool ok = MedCalcGrading.IsCorrect(extracted, truth, calculator, upper, lower);
            string? expectedExtracted = c.GetProperty("extracted").ValueKind == JsonValueKind.Null ? null : c.GetProperty("extracted").GetString();
            bool expectedCorrect = c.GetProperty("correct").GetBoolean();
            if (extracted != expectedExtracted || ok != expectedCorrect)
            {
                mismatches.Add($"calc {calculator}, truth {truth}, response {response}: C# ({extracted}, {ok}) vs Python ({expectedExtracted}, {expectedCorrect})");
            }
        }
        mismatches.ShouldBeEmpty(string.Join("\n", mismatches.Take(20)));
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
