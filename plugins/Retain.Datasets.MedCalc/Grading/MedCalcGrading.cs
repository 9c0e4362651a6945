using System.Text.RegularExpressions;
using Retain.Datasets.MedCalc.Python;

namespace Retain.Datasets.MedCalc.Grading;

/// <summary>
/// MedCalc-Bench's <c>check_correctness</c> (<c>evaluation/evaluate.py</c>, identical in version-1.0 and HEAD), with
/// every exception it can raise counted as incorrect, as run.py counts it:
/// <list type="bullet">
/// <item>dates: both parse as <c>%m/%d/%Y</c> (a real calendar date, the whole string) and are the same day;</item>
/// <item>weeks/days (69): the ground truth and the answer both match the (weeks, days) pattern and the two
/// <c>(weeks, days)</c> tuples are equal as Python evaluates them (so <c>07</c> raises);</item>
/// <item>integers: <c>round(eval(answer)) == eval(ground_truth)</c> (half-to-even);</item>
/// <item>decimals: <c>eval(lower) &lt;= eval(answer) &lt;= eval(upper)</c>, the limits as the CSV gives them (for a
/// negative ground truth the data's Lower Limit is 1.05·GT and its Upper Limit 0.95·GT, so Lower ≤ Upper holds).</item>
/// </list>
/// </summary>
public static partial class MedCalcGrading
{
    /// <summary>Whether <paramref name="answer"/> (as extracted) is correct; never throws for bad input.</summary>
    public static bool IsCorrect(string? answer, string groundTruth, int calculatorId, string upperLimit, string lowerLimit)
    {
        if (answer is null) return false;
        try
        {
            return Check(answer, groundTruth, calculatorId, upperLimit, lowerLimit);
        }
        catch (PyError)
        {
            return false;
        }
    }

    /// <summary>
    /// check_correctness itself: throws <see cref="PyError"/> where Python raises (an answer that is not a number, an
    /// impossible date, a ground truth that does not parse, an unknown calculator).
    /// </summary>
    internal static bool Check(string answer, string groundTruth, int calculatorId, string upperLimit, string lowerLimit)
    {
        switch (Calculators.KindOf(calculatorId))
        {
            case AnswerKind.Date:
                return ParseDate(answer) == ParseDate(groundTruth);
            case AnswerKind.WeeksDays:
            {
                var truth = MedCalcAnswer.WeeksDaysPattern().Match(groundTruth);
                if (!truth.Success) throw new PyError("AttributeError: 'NoneType' object has no attribute 'group' (ground truth)");
                var given = MedCalcAnswer.WeeksDaysPattern().Match(answer);
                if (!given.Success) return false;
                return PyNumber.NumericEquals(PyExpression.Literal(given.Groups[1].Value), PyExpression.Literal(truth.Groups[1].Value))
                    && PyNumber.NumericEquals(PyExpression.Literal(given.Groups[3].Value), PyExpression.Literal(truth.Groups[3].Value));
            }
            case AnswerKind.Integer:
            {
                var value = PyExpression.Evaluate(answer);
                var rounded = value.IsFloat ? PyNumber.Int(PyFloat.RoundToInteger(value.Float)) : PyNumber.Int(value.Integer);
                return PyNumber.NumericEquals(rounded, PyExpression.Evaluate(groundTruth));
            }
            case AnswerKind.Decimal:
            {
                var value = PyExpression.Evaluate(answer);
                return PyOps.Compare(">=", value, PyExpression.Evaluate(lowerLimit)) && PyOps.Compare("<=", value, PyExpression.Evaluate(upperLimit));
            }
            default:
                throw new PyError($"ValueError: Unknown calculator ID: {calculatorId}");
        }
    }

    /// <summary>
    /// Python's <c>datetime.strptime(text, "%m/%d/%Y")</c>: month <c>1[0-2]|0[1-9]|[1-9]</c>, day
    /// <c>3[01]|[12]\d|0[1-9]|[1-9]| [1-9]</c>, a four-digit year, nothing else, and a real date (year ≥ 1).
    /// </summary>
    internal static DateOnly ParseDate(string text)
    {
        var match = StrptimePattern().Match(text);
        if (!match.Success) throw new PyError($"ValueError: time data '{text}' does not match format '%m/%d/%Y'");
        int month = Digits(match.Groups[1].Value), day = Digits(match.Groups[2].Value.Trim()), year = Digits(match.Groups[3].Value);
        if (year < 1 || day > DateTime.DaysInMonth(year, month)) throw new PyError("ValueError: day is out of range for month");
        return new DateOnly(year, month, day);
    }

    /// <summary>Python's <c>int()</c> of a digit string (any Unicode decimal digits).</summary>
    private static int Digits(string text) => text.Aggregate(0, (value, c) => value * 10 + (int)char.GetNumericValue(c));

    [GeneratedRegex(@"^(1[0-2]|0[1-9]|[1-9])/(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])/(\d\d\d\d)\z")]
    private static partial Regex StrptimePattern();
}
