using System.Globalization;
using Retain.Data;
using Retain.Datasets.MedCalc.Grading;
using Retain.Datasets.MedCalc.Python;
using Retain.Datasets.Reading;

namespace Retain.Datasets.MedCalc;

/// <summary>One row of MedCalc-Bench (the 14 columns of <c>test_data.csv</c>; the train CSV and the Hub's Parquet files have the same).</summary>
public sealed record MedCalcRow
{
    /// <summary>Columns a row cannot do without.</summary>
    public static readonly string[] RequiredColumns =
    [
        "Calculator ID", "Calculator Name", "Category", "Note ID", "Patient Note", "Question",
        "Ground Truth Answer", "Lower Limit", "Upper Limit", "Ground Truth Explanation",
    ];

    /// <summary>The file the row came from.</summary>
    public required string File { get; init; }
    /// <summary>The line the row starts on.</summary>
    public required int Line { get; init; }
    /// <summary><c>Row Number</c>, or the line when the column is absent.</summary>
    public required string RowNumber { get; init; }
    /// <summary><c>Calculator ID</c>.</summary>
    public required int CalculatorId { get; init; }
    /// <summary><c>Calculator Name</c>.</summary>
    public required string CalculatorName { get; init; }
    /// <summary><c>Category</c> (lab, risk, physical, severity, diagnosis, date, dosage).</summary>
    public required string Category { get; init; }
    /// <summary><c>Output Type</c> (decimal, integer, date), or empty.</summary>
    public required string OutputType { get; init; }
    /// <summary><c>Note ID</c>.</summary>
    public required string NoteId { get; init; }
    /// <summary><c>Note Type</c> (Extracted, Template), or empty.</summary>
    public required string NoteType { get; init; }
    /// <summary><c>Patient Note</c>.</summary>
    public required string PatientNote { get; init; }
    /// <summary><c>Question</c>.</summary>
    public required string Question { get; init; }
    /// <summary><c>Ground Truth Answer</c>.</summary>
    public required string GroundTruthAnswer { get; init; }
    /// <summary><c>Lower Limit</c>.</summary>
    public required string LowerLimit { get; init; }
    /// <summary><c>Upper Limit</c>.</summary>
    public required string UpperLimit { get; init; }
    /// <summary><c>Ground Truth Explanation</c> (the chain of thought used as SFT target).</summary>
    public required string Explanation { get; init; }

    /// <summary>The key seeded splits rank rows by: calculator and note, unique per row in MedCalc-Bench.</summary>
    public string SplitKey => $"{CalculatorId}|{NoteId}";

    /// <summary>
    /// Reads the rows of a MedCalc-Bench CSV. Rows that cannot be used go to <paramref name="issues"/>: malformed CSV,
    /// a Calculator ID that is not an integer or that evaluate.py has no rule for, an empty note, question or ground
    /// truth, an empty explanation when <paramref name="needsExplanation"/>, and a ground truth or limits that
    /// evaluate.py could not grade against (so a bad row never silently scores zero).
    /// </summary>
    public static List<MedCalcRow> ReadAll(string path, DataSplit split, RowIssues issues, DataReport report, bool needsExplanation)
    {
        var rows = new List<MedCalcRow>();
        var files = DataFiles.Require(path, split);
        foreach (var record in DataSources.ReadFields(files, RequiredColumns, issues, report))
        {
            MedCalcRow row;
            try
            {
                if (FromRecord(record) is not { } parsed) continue;
                row = parsed;
            }
            catch (FormatException e)
            {
                issues.Reject(record.File, record.Line, e.Message);
                continue;
            }
            if (row.Problem(needsExplanation) is { } problem)
            {
                issues.Reject(record.File, record.Line, problem);
                continue;
            }
            rows.Add(row);
        }
        return rows;

        MedCalcRow? FromRecord(SourceRow record)
        {
            string Value(string column) => record.Field(column) ?? "";
            string idText = Value("Calculator ID").Trim();
            if (!TryCalculatorId(idText, out int id))
            {
                issues.Reject(record.File, record.Line, $"Calculator ID '{idText}' is not an integer");
                return null;
            }
            return new MedCalcRow
            {
                File = record.File,
                Line = record.Line,
                RowNumber = record.Field("Row Number")?.Trim() is { Length: > 0 } number ? number : record.Line.ToString(CultureInfo.InvariantCulture),
                CalculatorId = id,
                CalculatorName = Value("Calculator Name").Trim(),
                Category = Value("Category").Trim(),
                OutputType = Value("Output Type").Trim(),
                NoteId = Value("Note ID").Trim(),
                NoteType = Value("Note Type").Trim(),
                PatientNote = Value("Patient Note"),
                Question = Value("Question"),
                GroundTruthAnswer = Value("Ground Truth Answer").Trim(),
                LowerLimit = Value("Lower Limit").Trim(),
                UpperLimit = Value("Upper Limit").Trim(),
                Explanation = Value("Ground Truth Explanation"),
            };
        }
    }

    /// <summary>An integer id, also when a typed export stored it as a float (<c>12.0</c>).</summary>
    private static bool TryCalculatorId(string text, out int id)
    {
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out id)) return true;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value == Math.Floor(value) && Math.Abs(value) < int.MaxValue)
        {
            id = (int)value;
            return true;
        }
        return false;
    }

    /// <summary>Why the row cannot be used, or null.</summary>
    internal string? Problem(bool needsExplanation)
    {
        if (Calculators.KindOf(CalculatorId) is not { } kind) return $"Calculator ID {CalculatorId} has no grading rule in MedCalc-Bench's evaluate.py";
        if (string.IsNullOrWhiteSpace(PatientNote)) return "empty Patient Note";
        if (string.IsNullOrWhiteSpace(Question)) return "empty Question";
        if (GroundTruthAnswer.Length == 0) return "empty target: the Ground Truth Answer is empty";
        if (needsExplanation && string.IsNullOrWhiteSpace(Explanation)) return "empty target: the Ground Truth Explanation is empty";
        try
        {
            switch (kind)
            {
                case AnswerKind.Date:
                    MedCalcGrading.ParseDate(GroundTruthAnswer);
                    break;
                case AnswerKind.WeeksDays:
                    if (!MedCalcAnswer.WeeksDaysPattern().IsMatch(GroundTruthAnswer)) return $"Ground Truth Answer '{GroundTruthAnswer}' is not a (weeks, days) pair";
                    break;
                case AnswerKind.Integer:
                    // evaluate.py compares round(answer) with eval(truth): 160.0 can be matched, 160.5 never.
                    var truth = PyExpression.Evaluate(GroundTruthAnswer);
                    if (truth.IsFloat && !double.IsInteger(truth.Float)) return $"Ground Truth Answer '{GroundTruthAnswer}' is not a whole number, so no rounded answer can match it";
                    break;
                case AnswerKind.Decimal:
                    PyExpression.Evaluate(GroundTruthAnswer);
                    var lower = PyExpression.Evaluate(LowerLimit);
                    var upper = PyExpression.Evaluate(UpperLimit);
                    if (PyOps.Compare(">", lower, upper)) return $"Lower Limit {LowerLimit} exceeds Upper Limit {UpperLimit}, so no answer can be graded correct";
                    break;
            }
        }
        catch (PyError e)
        {
            return $"the ground truth cannot be graded as evaluate.py would ({kind}, Ground Truth Answer '{GroundTruthAnswer}', limits '{LowerLimit}'..'{UpperLimit}'): {e.Message}";
        }
        return null;
    }
}
