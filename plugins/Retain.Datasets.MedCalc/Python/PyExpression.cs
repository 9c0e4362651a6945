using System.Globalization;
using System.Numerics;

namespace Retain.Datasets.MedCalc.Python;

/// <summary>
/// Evaluates the Python expressions MedCalc-Bench hands to <c>eval</c>: number literals (Python's rules, so
/// <c>07</c> is a SyntaxError while <c>00</c> and <c>07.5</c> are not), <c>True</c>/<c>False</c>, unary
/// <c>+ - ~</c>, <c>** * / // % + -</c> with Python's precedence and int/float semantics, chained comparisons, and,
/// when <c>functions</c> is on (run.py's restricted namespace), calls of <c>min pow round abs int float</c> and of
/// <c>math.*</c> / <c>np.*</c> / <c>numpy.*</c> members (<see cref="PyFunctions"/>). Every error Python would raise is a
/// <see cref="PyError"/>; so is a result that is not a number (a tuple, a string, None), which MedCalc-Bench could only
/// grade as incorrect anyway.
/// </summary>
internal sealed class PyExpression
{
    private readonly List<PyToken> _tokens;
    private readonly bool _functions;
    private int _position;

    private PyExpression(string source, bool functions)
    {
        _tokens = PyTokens.Split(source);
        _functions = functions;
    }

    /// <summary>The value of <paramref name="source"/>.</summary>
    public static PyNumber Evaluate(string source, bool functions = false)
    {
        var parser = new PyExpression(source, functions);
        if (parser.Peek.Kind == PyTokenKind.End) throw new PyError("SyntaxError: invalid syntax (empty expression)");
        var value = parser.Comparison();
        if (parser.Peek.Kind != PyTokenKind.End) throw new PyError($"SyntaxError: invalid syntax near '{parser.Peek.Text}'");
        return AsNumber(value);
    }

    /// <summary>A Python number literal's value (<c>eval</c> of a regex-matched number such as <c>-12.5</c>).</summary>
    public static PyNumber Literal(string text) => Evaluate(text);

    private PyToken Peek => _tokens[_position];

    private bool Accept(string op)
    {
        if (Peek.Kind != PyTokenKind.Operator || Peek.Text != op) return false;
        _position++;
        return true;
    }

    private void Expect(string op)
    {
        if (!Accept(op)) throw new PyError($"SyntaxError: expected '{op}' near '{Peek.Text}'");
    }

    private object Comparison()
    {
        var left = Arithmetic();
        string[] comparators = ["==", "!=", "<", ">", "<=", ">="];
        if (Peek.Kind != PyTokenKind.Operator || !comparators.Contains(Peek.Text)) return left;
        bool result = true;
        while (Peek.Kind == PyTokenKind.Operator && comparators.Contains(Peek.Text))
        {
            string op = Peek.Text;
            _position++;
            var right = Arithmetic();
            result &= PyOps.Compare(op, AsNumber(left), AsNumber(right));
            left = right;
        }
        return PyNumber.Bool(result);
    }

    private object Arithmetic()
    {
        var value = Term();
        while (true)
        {
            if (Accept("+")) value = PyOps.Add(AsNumber(value), AsNumber(Term()));
            else if (Accept("-")) value = PyOps.Subtract(AsNumber(value), AsNumber(Term()));
            else return value;
        }
    }

    private object Term()
    {
        var value = Factor();
        while (true)
        {
            if (Accept("*")) value = PyOps.Multiply(AsNumber(value), AsNumber(Factor()));
            else if (Accept("/")) value = PyOps.Divide(AsNumber(value), AsNumber(Factor()));
            else if (Accept("//")) value = PyOps.FloorDivide(AsNumber(value), AsNumber(Factor()));
            else if (Accept("%")) value = PyOps.Modulo(AsNumber(value), AsNumber(Factor()));
            else return value;
        }
    }

    private object Factor()
    {
        if (Accept("-")) return PyOps.Negate(AsNumber(Factor()));
        if (Accept("+")) return PyOps.Plus(AsNumber(Factor()));
        if (Accept("~")) return PyOps.Invert(AsNumber(Factor()));
        return Power();
    }

    private object Power()
    {
        var value = Primary();
        if (Accept("**")) return PyOps.Power(AsNumber(value), AsNumber(Factor()));
        return value;
    }

    private object Primary()
    {
        var value = Atom();
        while (true)
        {
            if (Accept("."))
            {
                if (Peek.Kind != PyTokenKind.Name) throw new PyError("SyntaxError: invalid syntax after '.'");
                string member = _tokens[_position++].Text;
                value = value is PyModule module ? PyFunctions.Member(module, member) : throw new PyError($"AttributeError: no attribute '{member}'");
            }
            else if (Accept("("))
            {
                var arguments = new List<PyNumber>();
                if (!Accept(")"))
                {
                    do
                    {
                        if (Peek.Kind == PyTokenKind.Operator && Peek.Text == ")") break; // trailing comma
                        arguments.Add(AsNumber(Comparison()));
                    }
                    while (Accept(","));
                    Expect(")");
                }
                value = value is PyCallable callable ? callable.Invoke(arguments) : throw new PyError("TypeError: object is not callable");
            }
            else return value;
        }
    }

    private object Atom()
    {
        var token = _tokens[_position];
        switch (token.Kind)
        {
            case PyTokenKind.Number:
                _position++;
                return NumberLiteral(token.Text);
            case PyTokenKind.Name:
                _position++;
                return token.Text switch
                {
                    "True" => PyNumber.Bool(true),
                    "False" => PyNumber.Bool(false),
                    _ when _functions => PyFunctions.Global(token.Text),
                    _ => throw new PyError($"NameError: name '{token.Text}' is not defined"),
                };
            case PyTokenKind.Operator when token.Text == "(":
                _position++;
                var inner = Comparison();
                if (Peek.Kind == PyTokenKind.Operator && Peek.Text == ",") throw new PyError("TypeError: a tuple is not a number");
                Expect(")");
                return inner;
            default:
                throw new PyError($"SyntaxError: invalid syntax near '{token.Text}'");
        }
    }

    private static PyNumber NumberLiteral(string text)
    {
        if (text.Contains('.') || text.Contains('e') || text.Contains('E'))
        {
            return PyNumber.Of(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
        if (text.Length > 1 && text[0] == '0' && text.Any(c => c != '0'))
        {
            throw new PyError("SyntaxError: leading zeros in decimal integer literals are not permitted");
        }
        return PyNumber.Int(BigInteger.Parse(text, CultureInfo.InvariantCulture));
    }

    private static PyNumber AsNumber(object value) => value is PyNumber number
        ? number
        : throw new PyError("TypeError: the value is a function or module, not a number");
}
