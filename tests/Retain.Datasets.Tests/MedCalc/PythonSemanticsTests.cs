using Retain.Datasets.MedCalc.Python;

namespace Retain.Datasets.Tests.MedCalc;

/// <summary>The Python behaviour MedCalc-Bench's eval relies on; expected values printed by CPython 3.</summary>
public sealed class PythonSemanticsTests
{
    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1234567890123456.0, "1234567890123456.0")]
    [InlineData(12345678901234567.0, "1.2345678901234568e+16")]
    [InlineData(25.0, "25.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(2.0 / 3.0, "0.6666666666666666")]
    [InlineData(1e22, "1e+22")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void Float_repr_is_pythons(double value, string repr) => PyFloat.Repr(value).ShouldBe(repr);

    [Theory]
    [InlineData(2.675, 2, "2.67")] // 2.675 is 2.67499999... in binary
    [InlineData(0.125, 2, "0.12")] // exact tie: half to even
    [InlineData(0.375, 2, "0.38")]
    [InlineData(2.5, 0, "2.0")]
    [InlineData(-2.5, 0, "-2.0")]
    [InlineData(1.005, 2, "1.0")]
    [InlineData(123.456, -1, "120.0")]
    [InlineData(155.0, -1, "160.0")]
    [InlineData(-0.004, 2, "-0.0")]
    [InlineData(25.2380952, 3, "25.238")]
    public void Round_to_digits_is_pythons(double value, int digits, string repr) => PyFloat.Repr(PyFloat.Round(value, digits)).ShouldBe(repr);

    [Theory]
    [InlineData("7 // 2", "3")]
    [InlineData("-7 // 2", "-4")]
    [InlineData("7 % -3", "-2")]
    [InlineData("-7 % 3", "2")]
    [InlineData("7.5 // 2", "3.0")]
    [InlineData("-7.5 // 2", "-4.0")]
    [InlineData("-7.5 % 2", "0.5")]
    [InlineData("2 ** -1", "0.5")]
    [InlineData("-2 ** 2", "-4")]
    [InlineData("2 ** 3 ** 2", "512")]
    [InlineData("(1 < 2 < 3)", "True")]
    [InlineData("1 < 3 < 2", "False")]
    [InlineData("round(2.5)", "2")]
    [InlineData("round(3.5)", "4")]
    [InlineData("round(-0.5)", "0")]
    [InlineData("round(1250, -2)", "1200")]
    [InlineData("round(1350, -2)", "1400")]
    [InlineData("round(2.675, 2)", "2.67")]
    [InlineData("int(-2.7)", "-2")]
    [InlineData("min(3, 2.5, 4)", "2.5")]
    [InlineData("abs(-3)", "3")]
    [InlineData("float(3)", "3.0")]
    [InlineData("10 / 4", "2.5")]
    [InlineData("10 / 5", "2.0")]
    [InlineData("0.1 + 0.2", "0.30000000000000004")]
    [InlineData("True + 1", "2")]
    [InlineData("~5", "-6")]
    [InlineData("pow(2, 10)", "1024")]
    [InlineData("math.sqrt(16)", "4.0")]
    [InlineData("math.floor(2.7)", "2")]
    [InlineData("np.sqrt(-1)", "nan")]
    [InlineData("np.round(2.675, 2)", "2.68")] // NumPy scales first: 2.675 * 100 is 267.5 in doubles, which rounds half-even to 268
    [InlineData("07.5", "7.5")]
    [InlineData("00", "0")]
    public void Expressions_evaluate_as_in_python(string expression, string value)
    {
        PyExpression.Evaluate(expression, functions: true).ToString().ShouldBe(value);
    }

    [Theory]
    [InlineData("07")] // leading zeros in an integer literal
    [InlineData("-07")]
    [InlineData("1/0")]
    [InlineData("5 % 0")]
    [InlineData("max(1, 2)")] // not in run.py's namespace
    [InlineData("math.lo(2)")] // 'g' removed from 'log' by run.py's rewriting
    [InlineData("5k")]
    [InlineData("(1, 2)")]
    [InlineData("N/A")]
    [InlineData("Not Found")]
    [InlineData("nan")]
    [InlineData("")]
    [InlineData("(-8) ** 0.5")] // a complex number
    [InlineData("math.sqrt(-1)")]
    public void Python_errors_are_errors(string expression)
    {
        Should.Throw<PyError>(() => PyExpression.Evaluate(expression, functions: true));
    }

    [Fact]
    public void Names_need_the_function_namespace()
    {
        Should.Throw<PyError>(() => PyExpression.Evaluate("abs(-3)"));
        PyExpression.Evaluate("True").ToString().ShouldBe("True");
    }
}
