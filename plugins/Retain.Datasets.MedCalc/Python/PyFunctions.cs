using System.Numerics;

namespace Retain.Datasets.MedCalc.Python;

/// <summary>A module name (<c>math</c>, <c>np</c>) whose members are looked up on access.</summary>
internal sealed record PyModule(string Name);

/// <summary>A callable builtin or module function.</summary>
internal sealed record PyCallable(string Name, Func<IReadOnlyList<PyNumber>, PyNumber> Invoke);

/// <summary>
/// The names run.py makes available to <c>eval</c> (<c>min pow round abs int float math np numpy</c>, builtins
/// otherwise disabled) and the members of <c>math</c> and NumPy that arise in practice. NumPy follows its own rules
/// where they differ from <c>math</c>: <c>np.sqrt(-1)</c> and <c>np.log(-1)</c> are nan and <c>np.log(0)</c> is -inf
/// (no error), and <c>np.round</c> scales, rounds half-to-even and unscales. A member outside this list is an
/// AttributeError, which MedCalc-Bench turns into "N/A" just as it would for a member Python has but this list lacks.
/// </summary>
internal static class PyFunctions
{
    public static object Global(string name) => name switch
    {
        "min" => new PyCallable("min", Min),
        "pow" => new PyCallable("pow", args => PyOps.Power(Arity(args, 2, "pow")[0], args[1])),
        "round" => new PyCallable("round", Round),
        "abs" => new PyCallable("abs", args => Abs(Arity(args, 1, "abs")[0])),
        "int" => new PyCallable("int", args => Int(Arity(args, 1, "int")[0])),
        "float" => new PyCallable("float", args => PyNumber.Of(Arity(args, 1, "float")[0].ToDouble())),
        "math" => new PyModule("math"),
        "np" or "numpy" => new PyModule("numpy"),
        _ => throw new PyError($"NameError: name '{name}' is not defined"),
    };

    public static object Member(PyModule module, string name) => module.Name == "math" ? MathMember(name) : NumpyMember(name);

    private static object MathMember(string name) => name switch
    {
        "pi" => PyNumber.Of(Math.PI),
        "e" => PyNumber.Of(Math.E),
        "sqrt" => Unary("sqrt", x => x < 0 ? throw Domain() : Math.Sqrt(x)),
        "exp" => Unary("exp", MathExp),
        "log" => new PyCallable("log", MathLog),
        "log10" => Unary("log10", x => x <= 0 ? throw Domain() : Math.Log10(x)),
        "log2" => Unary("log2", x => x <= 0 ? throw Domain() : Math.Log2(x)),
        "pow" => new PyCallable("pow", args => MathPow(Arity(args, 2, "pow")[0].ToDouble(), args[1].ToDouble())),
        "fabs" => Unary("fabs", Math.Abs),
        "floor" => new PyCallable("floor", args => Int(Arity(args, 1, "floor")[0] is { IsFloat: true } x ? PyNumber.Of(Math.Floor(x.Float)) : args[0])),
        "ceil" => new PyCallable("ceil", args => Int(Arity(args, 1, "ceil")[0] is { IsFloat: true } x ? PyNumber.Of(Math.Ceiling(x.Float)) : args[0])),
        "trunc" => new PyCallable("trunc", args => Int(Arity(args, 1, "trunc")[0])),
        _ => throw new PyError($"AttributeError: module 'math' has no attribute '{name}'"),
    };

    private static object NumpyMember(string name) => name switch
    {
        "pi" => PyNumber.Of(Math.PI),
        "e" => PyNumber.Of(Math.E),
        "sqrt" => Unary("sqrt", x => x < 0 ? double.NaN : Math.Sqrt(x)),
        "exp" => Unary("exp", Math.Exp),
        "log" => Unary("log", x => x < 0 ? double.NaN : Math.Log(x)),
        "log10" => Unary("log10", x => x < 0 ? double.NaN : Math.Log10(x)),
        "log2" => Unary("log2", x => x < 0 ? double.NaN : Math.Log2(x)),
        "power" => new PyCallable("power", NumpyPower),
        "abs" or "absolute" => new PyCallable(name, args => Abs(Arity(args, 1, name)[0])),
        "round" or "around" => new PyCallable(name, NumpyRound),
        "floor" => Unary("floor", Math.Floor),
        "ceil" => Unary("ceil", Math.Ceiling),
        _ => throw new PyError($"AttributeError: module 'numpy' has no attribute '{name}'"),
    };

    private static PyNumber Min(IReadOnlyList<PyNumber> args)
    {
        if (args.Count == 0) throw new PyError("TypeError: min expected at least 1 argument, got 0");
        if (args.Count == 1) throw new PyError("TypeError: object is not iterable");
        var best = args[0];
        for (int i = 1; i < args.Count; i++)
        {
            if (PyOps.Compare("<", args[i], best)) best = args[i];
        }
        return best;
    }

    private static PyNumber Round(IReadOnlyList<PyNumber> args)
    {
        if (args.Count is 0 or > 2) throw new PyError("TypeError: round() takes 1 or 2 arguments");
        var x = args[0];
        if (args.Count == 1)
        {
            return x.IsFloat ? PyNumber.Int(PyFloat.RoundToInteger(x.Float)) : PyNumber.Int(x.Integer);
        }
        if (args[1].IsFloat) throw new PyError("TypeError: 'float' object cannot be interpreted as an integer");
        int digits = (int)BigInteger.Clamp(args[1].Integer, -400, 400);
        if (x.IsFloat) return PyNumber.Of(PyFloat.Round(x.Float, digits));
        if (digits >= 0) return PyNumber.Int(x.Integer);
        var unit = BigInteger.Pow(10, -digits);
        var quotient = BigInteger.DivRem(x.Integer, unit, out var remainder);
        if (remainder.Sign < 0) { quotient -= 1; remainder += unit; } // floor division
        int half = (remainder * 2).CompareTo(unit);
        if (half > 0 || (half == 0 && !quotient.IsEven)) quotient += 1;
        return PyNumber.Int(quotient * unit);
    }

    private static PyNumber Abs(PyNumber x) => x.IsFloat ? PyNumber.Of(Math.Abs(x.Float)) : PyNumber.Int(BigInteger.Abs(x.Integer));

    private static PyNumber Int(PyNumber x) => x.IsFloat ? PyNumber.Int(PyFloat.Truncate(x.Float)) : PyNumber.Int(x.Integer);

    private static PyNumber MathLog(IReadOnlyList<PyNumber> args)
    {
        if (args.Count is 0 or > 2) throw new PyError("TypeError: log expected 1 or 2 arguments");
        double x = args[0].ToDouble();
        if (x <= 0) throw Domain();
        if (args.Count == 1) return PyNumber.Of(Math.Log(x));
        double b = args[1].ToDouble();
        if (b <= 0) throw Domain();
        double denominator = Math.Log(b);
        if (denominator == 0) throw new PyError("ZeroDivisionError: float division by zero");
        return PyNumber.Of(Math.Log(x) / denominator);
    }

    private static double MathExp(double x)
    {
        double r = Math.Exp(x);
        return double.IsInfinity(r) && double.IsFinite(x) ? throw new PyError("OverflowError: math range error") : r;
    }

    private static PyNumber MathPow(double x, double y)
    {
        if (x == 0 && y < 0) throw Domain();
        if (x < 0 && double.IsFinite(y) && Math.Floor(y) != y) throw Domain();
        double r = Math.Pow(x, y);
        if (double.IsInfinity(r) && double.IsFinite(x) && double.IsFinite(y)) throw new PyError("OverflowError: math range error");
        return PyNumber.Of(r);
    }

    private static PyNumber NumpyPower(IReadOnlyList<PyNumber> args)
    {
        var a = Arity(args, 2, "power");
        if (!a[0].IsFloat && !a[1].IsFloat)
        {
            if (a[1].Integer.Sign < 0) throw new PyError("ValueError: Integers to negative integer powers are not allowed.");
            return PyOps.Power(a[0], a[1]);
        }
        double x = a[0].ToDouble(), y = a[1].ToDouble();
        return PyNumber.Of(x < 0 && double.IsFinite(y) && Math.Floor(y) != y ? double.NaN : Math.Pow(x, y));
    }

    private static PyNumber NumpyRound(IReadOnlyList<PyNumber> args)
    {
        if (args.Count is 0 or > 2) throw new PyError("TypeError: round takes 1 or 2 arguments");
        int digits = args.Count == 2 ? (args[1].IsFloat ? throw new PyError("TypeError: decimals must be an integer") : (int)BigInteger.Clamp(args[1].Integer, -400, 400)) : 0;
        var x = args[0];
        if (!x.IsFloat && digits >= 0) return PyNumber.Int(x.Integer);
        double value = x.ToDouble();
        if (digits >= 0)
        {
            double scale = Math.Pow(10, digits);
            return PyNumber.Of(Math.Round(value * scale, MidpointRounding.ToEven) / scale);
        }
        double unit = Math.Pow(10, -digits);
        double rounded = Math.Round(value / unit, MidpointRounding.ToEven) * unit;
        return x.IsFloat ? PyNumber.Of(rounded) : PyNumber.Int(new BigInteger(rounded));
    }

    private static PyCallable Unary(string name, Func<double, double> f) => new(name, args => PyNumber.Of(f(Arity(args, 1, name)[0].ToDouble())));

    private static IReadOnlyList<PyNumber> Arity(IReadOnlyList<PyNumber> args, int count, string name)
        => args.Count == count ? args : throw new PyError($"TypeError: {name}() takes {count} argument(s) ({args.Count} given)");

    private static PyError Domain() => new("ValueError: math domain error");
}
