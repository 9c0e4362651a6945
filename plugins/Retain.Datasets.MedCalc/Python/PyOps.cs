using System.Numerics;

namespace Retain.Datasets.MedCalc.Python;

/// <summary>Python's arithmetic and comparison on int, float and bool, errors included.</summary>
internal static class PyOps
{
    private const int MaxIntegerExponent = 100_000;

    public static PyNumber Add(PyNumber a, PyNumber b) => BothIntegral(a, b) ? PyNumber.Int(a.Integer + b.Integer) : PyNumber.Of(a.ToDouble() + b.ToDouble());

    public static PyNumber Subtract(PyNumber a, PyNumber b) => BothIntegral(a, b) ? PyNumber.Int(a.Integer - b.Integer) : PyNumber.Of(a.ToDouble() - b.ToDouble());

    public static PyNumber Multiply(PyNumber a, PyNumber b) => BothIntegral(a, b) ? PyNumber.Int(a.Integer * b.Integer) : PyNumber.Of(a.ToDouble() * b.ToDouble());

    public static PyNumber Divide(PyNumber a, PyNumber b)
    {
        if (IsZero(b)) throw new PyError("ZeroDivisionError: division by zero");
        return PyNumber.Of(a.ToDouble() / b.ToDouble());
    }

    public static PyNumber FloorDivide(PyNumber a, PyNumber b)
    {
        if (IsZero(b)) throw new PyError("ZeroDivisionError: integer division or modulo by zero");
        if (BothIntegral(a, b))
        {
            var quotient = BigInteger.DivRem(a.Integer, b.Integer, out var remainder);
            if (!remainder.IsZero && (remainder.Sign < 0) != (b.Integer.Sign < 0)) quotient -= 1;
            return PyNumber.Int(quotient);
        }
        // CPython's float_floor_div.
        double vx = a.ToDouble(), wx = b.ToDouble();
        double mod = vx % wx;
        double div = (vx - mod) / wx;
        if (mod != 0 && (wx < 0) != (mod < 0)) div -= 1.0;
        if (div == 0) return PyNumber.Of(Math.CopySign(0.0, vx / wx));
        double floor = Math.Floor(div);
        if (div - floor > 0.5) floor += 1.0;
        return PyNumber.Of(floor);
    }

    public static PyNumber Modulo(PyNumber a, PyNumber b)
    {
        if (IsZero(b)) throw new PyError("ZeroDivisionError: integer division or modulo by zero");
        if (BothIntegral(a, b))
        {
            var remainder = BigInteger.Remainder(a.Integer, b.Integer);
            if (!remainder.IsZero && (remainder.Sign < 0) != (b.Integer.Sign < 0)) remainder += b.Integer;
            return PyNumber.Int(remainder);
        }
        double vx = a.ToDouble(), wx = b.ToDouble();
        double mod = vx % wx;
        if (mod != 0)
        {
            if ((wx < 0) != (mod < 0)) mod += wx;
        }
        else
        {
            mod = Math.CopySign(0.0, wx);
        }
        return PyNumber.Of(mod);
    }

    public static PyNumber Power(PyNumber a, PyNumber b)
    {
        if (BothIntegral(a, b))
        {
            if (b.Integer.Sign >= 0)
            {
                if (b.Integer > MaxIntegerExponent && BigInteger.Abs(a.Integer) > 1) throw new PyError("OverflowError: exponent too large to evaluate here");
                int exponent = b.Integer > MaxIntegerExponent ? (b.Integer.IsEven ? 2 : 1) : (int)b.Integer;
                return PyNumber.Int(BigInteger.Pow(a.Integer, exponent));
            }
            if (a.Integer.IsZero) throw new PyError("ZeroDivisionError: 0.0 cannot be raised to a negative power");
        }
        return FloatPower(a.ToDouble(), b.ToDouble());
    }

    /// <summary>float ** float: 0 to a negative power raises, a negative base with a fractional exponent gives a complex (not a number here), overflow raises.</summary>
    public static PyNumber FloatPower(double x, double y)
    {
        if (x == 0 && y < 0) throw new PyError("ZeroDivisionError: 0.0 cannot be raised to a negative power");
        if (x < 0 && double.IsFinite(y) && Math.Floor(y) != y) throw new PyError("TypeError: the result is a complex number");
        double result = Math.Pow(x, y);
        if (double.IsInfinity(result) && double.IsFinite(x) && double.IsFinite(y)) throw new PyError("OverflowError: (34, 'Numerical result out of range')");
        return PyNumber.Of(result);
    }

    public static PyNumber Negate(PyNumber a) => a.IsFloat ? PyNumber.Of(-a.Float) : PyNumber.Int(-a.Integer);

    public static PyNumber Plus(PyNumber a) => a.IsFloat ? a : PyNumber.Int(a.Integer);

    public static PyNumber Invert(PyNumber a) => a.IsFloat
        ? throw new PyError("TypeError: bad operand type for unary ~: 'float'")
        : PyNumber.Int(-a.Integer - 1);

    public static bool Compare(string op, PyNumber a, PyNumber b)
    {
        int c = PyNumber.Compare(a, b);
        if (c == int.MinValue) return op == "!=";
        return op switch
        {
            "==" => c == 0,
            "!=" => c != 0,
            "<" => c < 0,
            ">" => c > 0,
            "<=" => c <= 0,
            ">=" => c >= 0,
            _ => throw new PyError($"SyntaxError: unknown comparison '{op}'"),
        };
    }

    private static bool BothIntegral(PyNumber a, PyNumber b) => !a.IsFloat && !b.IsFloat;

    private static bool IsZero(PyNumber n) => n.IsFloat ? n.Float == 0 : n.Integer.IsZero;
}
