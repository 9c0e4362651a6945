using Retain.Datasets.MedCalc.Grading;

namespace Retain.Datasets.Tests.MedCalc;

/// <summary>Hand-made grading cases for every MedCalc output type (expectations worked out from run.py / evaluate.py rules).</summary>
public sealed class MedCalcGradingTests
{
    private static (string? Extracted, bool Correct) Grade(int calculator, string truth, string lower, string upper, string response)
    {
        var extracted = MedCalcAnswer.Extract(response, calculator, out _);
        return (extracted, MedCalcGrading.IsCorrect(extracted, truth, calculator, upper, lower));
    }

    private static (string? Extracted, bool Correct) Decimal(string response) => Grade(2, "25.238", "23.9761", "26.4999", response);

    [Theory]
    [InlineData("{\"answer\": \"25.238\"}", "25.238", true)]
    [InlineData("{\"answer\": \"23.9761\"}", "23.9761", true)] // the lower limit itself
    [InlineData("{\"answer\": \"26.4999\"}", "26.4999", true)] // the upper limit itself
    [InlineData("{\"answer\": \"26.5\"}", "26.5", false)]
    [InlineData("{\"answer\": \"23.97\"}", "23.97", false)]
    [InlineData("{\"answer\": 25}", "25", true)] // unquoted int
    [InlineData("{\"answer\": \"25.1 mL/min\"}", "25.1", true)]
    [InlineData("{\"answer\": \"eGFR 25 mL/min/1.73 m²\"}", "25", true)]
    [InlineData("{\"answer\": \"2524%\"}", "25.24", true)] // last percentage / 100
    [InlineData("{\"answer\": \"between 20 and 25.5\"}", "25.5", true)] // last number
    [InlineData("{\"answer\": \"str(round((140 - 87) * 48.0 / (1.4 * 72), 2))\"}", "25.24", true)]
    [InlineData("{\"answer\": \"str(((140 - 87) * 48 * 1) / (1.4 * 72)\"}", "25.238095238095237", true)] // parentheses balanced
    [InlineData("{\"answer\": \"str(5 ^ 2) # five squared\"}", "25", true)] // ^ is **, text after # dropped
    [InlineData("{\"answer\": \"str(sqrt(640))\"}", "25.298221281347036", true)]
    [InlineData("{\"answer\": \"str(max(25, 26))\"}", "N/A", false)] // max is not in run.py's namespace
    [InlineData("{\"answer\": \"str(1/0)\"}", "N/A", false)]
    [InlineData("{\"answer\": \"str(short_and_direct_answer_of_the_question)\"}", "N/A", false)] // placeholder: Not Found
    [InlineData("The answer is 25.238.", "N/A", false)] // no JSON answer: Not Found
    public void Decimal_answers(string response, string extracted, bool correct)
    {
        Decimal(response).ShouldBe((extracted, correct));
    }

    [Fact]
    public void Decimal_answer_with_a_leading_zero_integer_raises_and_is_incorrect()
    {
        var extracted = MedCalcAnswer.Extract("{\"answer\": \"025\"}", 2, out var error);
        extracted.ShouldBeNull();
        error!.ShouldContain("leading zeros");
    }

    [Fact]
    public void The_last_answer_wins_and_whitespace_is_collapsed()
    {
        Decimal("{\"answer\": \"10\"} ... {\"step_by_step_thinking\": \"...\", \"answer\":\n\n   \"25.5\"\n}").ShouldBe(("25.5", true));
    }

    [Theory]
    [InlineData("-0.828", true)]
    [InlineData("-0.8694", true)] // Lower Limit = 1.05 x GT for a negative answer
    [InlineData("-0.7866", true)] // Upper Limit = 0.95 x GT
    [InlineData("-0.87", false)]
    [InlineData("-0.78", false)]
    [InlineData("0.828", false)]
    [InlineData("-82.8%", true)]
    public void Negative_decimal_answers_use_the_data_limits(string answer, bool correct)
    {
        Grade(38, "-0.828", "-0.8694", "-0.7866", $"{{\"answer\": \"{answer}\"}}").Correct.ShouldBe(correct);
    }

    [Theory]
    [InlineData("0", "0", true)]
    [InlineData("0.0", "0.0", true)]
    [InlineData("-0.0", "-0.0", true)]
    [InlineData("00", "0", true)] // Python reads 00 as 0
    [InlineData("0.001", "0.001", false)]
    public void Zero_decimal_answers_need_exactly_zero(string answer, string extracted, bool correct)
    {
        Grade(38, "0", "0", "0", $"{{\"answer\": \"{answer}\"}}").ShouldBe((extracted, correct));
    }

    [Theory]
    [InlineData(3, "2.5", false)] // round half to even: 2
    [InlineData(3, "3.5", false)] // 4
    [InlineData(4, "3.5", true)]
    [InlineData(4, "4.5", true)]
    [InlineData(3, "3.49", true)]
    [InlineData(0, "-0.4", true)]
    [InlineData(3, "-3", false)]
    [InlineData(3, "3 out of 5 criteria", true)]
    [InlineData(2, "2, 3", true)] // a comma list counts its items
    [InlineData(3, "1, 2, 3", true)]
    [InlineData(3, "score: 3 points", true)]
    [InlineData(3, "03", false)] // SyntaxError in eval: incorrect
    [InlineData(3, "no number", false)]
    public void Integer_answers_are_rounded_half_to_even(int truth, string answer, bool correct)
    {
        string t = truth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Grade(4, t, t, t, $"{{\"answer\": \"{answer}\"}}").Correct.ShouldBe(correct);
    }

    [Theory]
    [InlineData("09/23/2014", "09/23/2014", true)]
    [InlineData("9/23/2014", "09/23/2014", true)] // padded by the extractor
    [InlineData("09/24/2014", "09/24/2014", false)]
    [InlineData("2014-09-23", "N/A", false)]
    [InlineData("Due date: 09/23/2014", "N/A", false)] // the date must open the answer
    [InlineData("09/23/2014 (40 weeks)", "09/23/2014", true)]
    public void Date_answers_must_be_the_same_day(string answer, string extracted, bool correct)
    {
        Grade(13, "09/23/2014", "09/23/2014", "09/23/2014", $"{{\"answer\": \"{answer}\"}}").ShouldBe((extracted, correct));
    }

    [Fact]
    public void Impossible_dates_are_incorrect()
    {
        Grade(68, "02/28/2021", "02/28/2021", "02/28/2021", "{\"answer\": \"02/30/2021\"}").ShouldBe(("02/30/2021", false));
        Grade(68, "02/28/2021", "02/28/2021", "02/28/2021", "{\"answer\": \"02/28/20211\"}").ShouldBe(("02/28/2021", true)); // the regex takes four year digits
    }

    [Theory]
    [InlineData("(14, 1)", "(14, 1)", true)]
    [InlineData("14 weeks, 1 day", "(14, 1)", true)]
    [InlineData("14 weeks and 1 days", "(1, 4)", false)] // "and" breaks the pattern: it matches inside "14"
    [InlineData("(14, 2)", "(14, 2)", false)]
    [InlineData("(014, 1)", "(014, 1)", false)] // 014 is a SyntaxError in evaluate.py's eval
    public void Weeks_and_days_answers_compare_as_tuples(string answer, string extracted, bool correct)
    {
        Grade(69, "('14 weeks', '1 days')", "('14 weeks', '1 days')", "('14 weeks', '1 days')", $"{{\"answer\": \"{answer}\"}}").ShouldBe((extracted, correct));
    }

    [Fact]
    public void Weeks_and_days_as_a_json_list_are_read()
    {
        Grade(69, "('34 weeks', '3 days')", "", "", "{\"answer\": [\"34 weeks\", \"3 days\"]}").ShouldBe(("(34, 3)", true));
    }

    [Fact]
    public void Weeks_and_days_without_two_numbers_raise_and_are_incorrect()
    {
        MedCalcAnswer.Extract("{\"answer\": \"fourteen weeks\"}", 69, out var error).ShouldBeNull();
        error.ShouldNotBeNull();
        Grade(69, "('0 weeks', '6 days')", "", "", "{\"answer\": \"(0, 6)\"}").ShouldBe(("(0, 6)", true));
    }

    [Fact]
    public void Unknown_calculators_are_never_correct()
    {
        MedCalcAnswer.Extract("{\"answer\": \"3\"}", 1, out var error).ShouldBeNull();
        error!.ShouldContain("Unknown calculator ID");
        MedCalcGrading.IsCorrect("3", "3", 1, "3", "3").ShouldBeFalse();
    }
}
