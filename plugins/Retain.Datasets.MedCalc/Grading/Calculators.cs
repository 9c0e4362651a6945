namespace Retain.Datasets.MedCalc.Grading;

/// <summary>How MedCalc-Bench grades a calculator's answer.</summary>
public enum AnswerKind
{
    /// <summary>A date, MM/DD/YYYY, compared exactly (calculators 13 and 68).</summary>
    Date,
    /// <summary>A (weeks, days) pair compared exactly (calculator 69).</summary>
    WeeksDays,
    /// <summary>A number rounded half-to-even and compared with the integer ground truth.</summary>
    Integer,
    /// <summary>A number inside [Lower Limit, Upper Limit].</summary>
    Decimal,
}

/// <summary>
/// The calculator-id lists of MedCalc-Bench's <c>evaluate.py</c> and <c>run.py</c>, tested in their order (date, then
/// weeks/days, then integer, then decimal; 69 is also in the integer list but its own rule wins).
/// </summary>
public static class Calculators
{
    private static readonly HashSet<int> DateIds = [13, 68];
    private static readonly HashSet<int> WeeksDaysIds = [69];
    private static readonly HashSet<int> IntegerIds = [4, 15, 16, 17, 18, 20, 21, 25, 27, 28, 29, 32, 33, 36, 43, 45, 48, 51, 69];
    private static readonly HashSet<int> DecimalIds = [2, 3, 5, 6, 7, 8, 9, 10, 11, 19, 22, 23, 24, 26, 30, 31, 38, 39, 40, 44, 46, 49, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67];

    /// <summary>The grading rule of a calculator, or null when MedCalc-Bench has none ("Unknown calculator ID").</summary>
    public static AnswerKind? KindOf(int calculatorId)
    {
        if (DateIds.Contains(calculatorId)) return AnswerKind.Date;
        if (WeeksDaysIds.Contains(calculatorId)) return AnswerKind.WeeksDays;
        if (IntegerIds.Contains(calculatorId)) return AnswerKind.Integer;
        if (DecimalIds.Contains(calculatorId)) return AnswerKind.Decimal;
        return null;
    }

    /// <summary>The kind's name in metadata and reports: <c>date</c>, <c>weeks-days</c>, <c>integer</c>, <c>decimal</c>.</summary>
    public static string Name(AnswerKind kind) => kind switch
    {
        AnswerKind.WeeksDays => "weeks-days",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Every calculator id MedCalc-Bench grades.</summary>
    public static IEnumerable<int> All => DateIds.Concat(IntegerIds).Concat(DecimalIds).Distinct().Order();
}
