using Retain.Data;
using Retain.Datasets.MedCalc;
using Retain.Datasets.Reading;
using Retain.Testing;

namespace Retain.Datasets.Tests.MedCalc;

public sealed class MedCalcCsvTests
{
    private static readonly Lazy<List<MedCalcRow>> RealRows = new(() =>
        MedCalcRow.ReadAll(TestPaths.SharedFile("data", "medcalc_bench", "test_data.csv"), DataSplit.Test, new RowIssues(BadRowPolicy.Fail, new DataReport()), new DataReport(), needsExplanation: true));

    [Fact]
    public void Real_test_file_has_1047_rows_of_55_calculators()
    {
        var report = new DataReport();
        var rows = MedCalcRow.ReadAll(TestPaths.SharedFile("data", "medcalc_bench", "test_data.csv"), DataSplit.Test, new RowIssues(BadRowPolicy.Fail, report), report, needsExplanation: true);

        rows.Count.ShouldBe(1047);
        report.RowsRead.ShouldBe(1047);
        report.Rejected.ShouldBeEmpty();
        rows.Select(r => r.RowNumber).ShouldBe(Enumerable.Range(1, 1047).Select(i => i.ToString()));
        rows.Select(r => r.CalculatorId).Distinct().Count().ShouldBe(55);
        rows.GroupBy(r => r.OutputType).ToDictionary(g => g.Key, g => g.Count())
            .ShouldBe(new Dictionary<string, int> { ["decimal"] = 627, ["integer"] = 380, ["date"] = 40 }, ignoreOrder: true);
        rows.GroupBy(r => r.Category).ToDictionary(g => g.Key, g => g.Count()).ShouldBe(new Dictionary<string, int>
        {
            ["lab"] = 327, ["risk"] = 240, ["physical"] = 240, ["severity"] = 80, ["diagnosis"] = 60, ["date"] = 60, ["dosage"] = 40,
        }, ignoreOrder: true);
    }

    [Fact]
    public void First_row_reads_as_in_the_file()
    {
        var row = RealRows.Value[0];
        row.Line.ShouldBe(2);
        row.CalculatorId.ShouldBe(2);
        row.CalculatorName.ShouldBe("Creatinine Clearance (Cockcroft-Gault Equation)");
        row.Category.ShouldBe("lab");
        row.NoteId.ShouldBe("pmc-7671985-1");
        row.NoteType.ShouldBe("Extracted");
        row.PatientNote.ShouldStartWith("An 87-year-old man was admitted to our hospital for anorexia for several days");
        row.Question.ShouldStartWith("What is the patient's Creatinine Clearance using the Cockroft-Gault Equation in terms of mL/min?");
        row.GroundTruthAnswer.ShouldBe("25.238");
        row.LowerLimit.ShouldBe("23.9761");
        row.UpperLimit.ShouldBe("26.4999");
        row.Explanation.ShouldStartWith("The formula for computing Cockcroft-Gault is given by CrCl = ((140 - age) * adjusted weight * (gender_coefficient)) / (serum creatinine * 72)");
        row.Explanation.ShouldEndWith("Hence, the patient's creatinine clearance is 25.238 mL/min.");
    }

    [Fact]
    public void Multi_line_quoted_fields_keep_their_line_breaks_and_rows_report_their_start_line()
    {
        var rows = RealRows.Value;
        rows.Count(r => r.PatientNote.Contains('\n')).ShouldBe(511);
        // Each row starts on the line after the previous row's last line.
        for (int i = 1; i < rows.Count; i++)
        {
            rows[i].Line.ShouldBeGreaterThan(rows[i - 1].Line);
        }
        var last = rows[^1];
        last.RowNumber.ShouldBe("1047");
        File.ReadLines(TestPaths.SharedFile("data", "medcalc_bench", "test_data.csv")).Skip(last.Line - 1).First().ShouldStartWith("1047,");
    }

    [Fact]
    public void Negative_decimal_answers_have_lower_below_upper()
    {
        var negatives = RealRows.Value.Where(r => r.OutputType == "decimal" && r.GroundTruthAnswer.StartsWith('-')).ToList();
        negatives.Count.ShouldBe(45);
        var freeWater = negatives.First(r => r.GroundTruthAnswer == "-0.828");
        freeWater.LowerLimit.ShouldBe("-0.8694");
        freeWater.UpperLimit.ShouldBe("-0.7866");
    }
}
