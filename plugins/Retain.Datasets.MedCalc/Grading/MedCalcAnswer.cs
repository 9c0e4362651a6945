using System.Globalization;
using System.Text.RegularExpressions;
using Retain.Datasets.Extraction;
using Retain.Datasets.MedCalc.Python;

namespace Retain.Datasets.MedCalc.Grading;

/// <summary>
/// MedCalc-Bench's answer extraction (<c>evaluation/run.py</c>, <c>extract_answer</c>, HEAD), step for step, on a
/// response whose whitespace runs are first collapsed to single spaces as <c>llm_inference.py</c> does:
/// <list type="number">
/// <item>the last match of <c>[Aa]nswer":\s*(.*?)\}</c>, stripped of whitespace then of <c>"</c>; none, or a
/// placeholder from the prompt, gives <c>Not Found</c>;</item>
/// <item>dates (13, 68): <c>^(0?[1-9]|1[0-2])/(0?[1-9]|[12][0-9]|3[01])/(\d{4})</c> → <c>MM/DD/YYYY</c>, else <c>N/A</c>;</item>
/// <item>weeks/days (69): the pattern must match (else an exception: incorrect), then <c>[ ]</c> become <c>( )</c>,
/// quotes are removed, and a second match gives <c>(weeks, days)</c>, else <c>N/A</c>;</item>
/// <item>integers: <c>(\d+) out of</c>; else the number of items of a comma list; else the last number; else <c>N/A</c>;</item>
/// <item>decimals: a <c>str(…)</c> expression is rewritten and evaluated in run.py's restricted namespace (any error:
/// <c>N/A</c>); else the number before <c>mL/min/1.73</c>; else the last percentage ÷ 100; else the last number; else
/// <c>N/A</c>; a value is then written as Python's <c>str</c> writes it. A number Python cannot read (<c>07</c>) raises.</item>
/// </list>
/// </summary>
public static partial class MedCalcAnswer
{
    private static readonly string[] Placeholders = ["str(short_and_direct_answer_of_the_question)", "str(value which is the answer to the question)", "X.XX"];

    /// <summary>
    /// The answer run.py would pass to <c>check_correctness</c>, or null where run.py raises (the row is then
    /// "Incorrect"); <paramref name="error"/> says why.
    /// </summary>
    public static string? Extract(string response, int calculatorId, out string? error)
    {
        error = null;
        try
        {
            return ExtractOrThrow(response, calculatorId);
        }
        catch (PyError e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The raw answer field: the last <c>"answer": …}</c> value, or <c>Not Found</c>.</summary>
    public static string AnswerField(string response)
    {
        var field = AnswerPatterns.JsonAnswer(response);
        return field is null || Placeholders.Contains(field) ? "Not Found" : field;
    }

    private static string ExtractOrThrow(string response, int calculatorId)
    {
        string extracted = AnswerField(response);
        return Calculators.KindOf(calculatorId) switch
        {
            AnswerKind.Date => Date(extracted),
            AnswerKind.WeeksDays => WeeksDays(extracted),
            AnswerKind.Integer => Integer(extracted),
            AnswerKind.Decimal => Decimal(extracted),
            _ => throw new PyError($"ValueError: Unknown calculator ID: {calculatorId}"),
        };
    }

    private static string Date(string extracted)
    {
        var match = DatePattern().Match(extracted);
        if (!match.Success) return "N/A";
        int month = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        int day = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return $"{month:00}/{day:00}/{match.Groups[3].Value}";
    }

    private static string WeeksDays(string extracted)
    {
        if (!WeeksDaysPattern().IsMatch(extracted)) throw new PyError("AttributeError: 'NoneType' object has no attribute 'group'");
        string cleaned = extracted.Replace('[', '(').Replace(']', ')').Replace("'", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal);
        var match = WeeksDaysPattern().Match(cleaned);
        return match.Success ? $"({match.Groups[1].Value}, {match.Groups[3].Value})" : "N/A";
    }

    private static string Integer(string extracted)
    {
        var outOf = OutOfPattern().Match(extracted);
        if (outOf.Success) return outOf.Groups[1].Value;
        var list = CommaListPattern().Match(extracted);
        if (list.Success) return list.Value.Split(',').Length.ToString(CultureInfo.InvariantCulture);
        var numbers = NumberPattern().Matches(extracted);
        return numbers.Count > 0 ? numbers[^1].Groups[1].Value : "N/A";
    }

    private static string Decimal(string extracted)
    {
        var call = StrCallPattern().Match(extracted);
        if (call.Success) return EvaluateExpression(call.Groups[1].Value);

        var egfr = EgfrPattern().Match(extracted);
        if (egfr.Success) return PyExpression.Literal(egfr.Groups[1].Value).ToString();
        var percentages = PercentPattern().Matches(extracted);
        if (percentages.Count > 0) return PyOps.Divide(PyExpression.Literal(percentages[^1].Groups[1].Value), PyNumber.Int(100)).ToString();
        var numbers = NumberPattern().Matches(extracted);
        return numbers.Count > 0 ? PyExpression.Literal(numbers[^1].Groups[1].Value).ToString() : "N/A";
    }

    /// <summary>run.py's rewriting and restricted <c>eval</c> of a <c>str(…)</c> body; any error gives <c>N/A</c>.</summary>
    internal static string EvaluateExpression(string body)
    {
        string expression = body.Replace("^", "**", StringComparison.Ordinal)
            .Replace("is odd", "% 2 == 1", StringComparison.Ordinal)
            .Replace("is even", "% 2 == 0", StringComparison.Ordinal)
            .Replace("sqrt", "math.sqrt", StringComparison.Ordinal)
            .Replace(".math", "", StringComparison.Ordinal)
            .Replace("weight", "", StringComparison.Ordinal)
            .Replace("height", "", StringComparison.Ordinal)
            .Replace("mg/dl", "", StringComparison.Ordinal)
            .Replace("g/dl", "", StringComparison.Ordinal)
            .Replace("mmol/L", "", StringComparison.Ordinal)
            .Replace("kg", "", StringComparison.Ordinal)
            .Replace("g", "", StringComparison.Ordinal)
            .Replace("mEq/L", "", StringComparison.Ordinal);
        expression = expression.Split('#')[0];
        int open = expression.Count(c => c == '('), close = expression.Count(c => c == ')');
        if (open > close) expression += new string(')', open - close);
        else if (close > open) expression = new string('(', close - open) + expression;
        try
        {
            return PyExpression.Evaluate(expression, functions: true).ToString();
        }
        catch (PyError)
        {
            return "N/A";
        }
    }

    /// <summary>The (weeks, days) pattern of run.py and evaluate.py.</summary>
    [GeneratedRegex(@"\(?[""']?(\d+)\s*(weeks?)?[""']?,?\s*[""']?(\d+)\s*(days?)?[""']?\s*\)?")]
    internal static partial Regex WeeksDaysPattern();

    [GeneratedRegex(@"^(0?[1-9]|1[0-2])\/(0?[1-9]|[12][0-9]|3[01])\/(\d{4})")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"(\d+) out of")]
    private static partial Regex OutOfPattern();

    [GeneratedRegex(@"-?\d+(, ?-?\d+)+")]
    private static partial Regex CommaListPattern();

    [GeneratedRegex(@"(-?\d+(\.\d+)?)")]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"str\((.*)\)")]
    private static partial Regex StrCallPattern();

    [GeneratedRegex(@"(-?\d+(\.\d+)?)\s*mL/min/1.73")]
    private static partial Regex EgfrPattern();

    [GeneratedRegex(@"(-?\d+(\.\d+)?)\%")]
    private static partial Regex PercentPattern();
}
