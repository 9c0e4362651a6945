using System.Globalization;
using System.Numerics;

namespace Retain.Datasets.MedCalc.Python;

/// <summary>Python's numeric types as MedCalc-Bench's <c>eval</c> calls produce them: int, float and bool.</summary>
internal enum PyKind { Int, Float, Bool }

/// <summary>
/// A Python number: <c>int</c> (arbitrary precision), <c>float</c> (IEEE double) or <c>bool</c> (an int subclass).
/// </summary>
internal readonly record struct PyNumber(PyKind Kind, BigInteger Integer, double Float)
{
    public static PyNumber Int(BigInteger value) => new(PyKind.Int, value, 0);
    public static PyNumber Of(double value) => new(PyKind.Float, BigInteger.Zero, value);
    public static PyNumber Bool(bool value) => new(PyKind.Bool, value ? BigInteger.One : BigInteger.Zero, 0);

    public bool IsFloat => Kind == PyKind.Float;

    /// <summary>The value as a double (Python's int-to-float conversion; too large an int overflows).</summary>
    public double ToDouble()
    {
        if (IsFloat) return Float;
        double d = (double)Integer;
        if (double.IsInfinity(d)) throw new PyError("OverflowError: int too large to convert to float");
        return d;
    }

    /// <summary>Python's <c>str()</c> of the value.</summary>
    public override string ToString() => Kind switch
    {
        PyKind.Bool => Integer.IsZero ? "False" : "True",
        PyKind.Int => Integer.ToString(CultureInfo.InvariantCulture),
        _ => PyFloat.Repr(Float),
    };

    /// <summary>Python's numeric comparison (ints exactly, otherwise as doubles).</summary>
    public static int Compare(PyNumber a, PyNumber b)
    {
        if (!a.IsFloat && !b.IsFloat) return a.Integer.CompareTo(b.Integer);
        double x = a.IsFloat ? a.Float : (double)a.Integer;
        double y = b.IsFloat ? b.Float : (double)b.Integer;
        if (double.IsNaN(x) || double.IsNaN(y)) return int.MinValue; // unordered: every comparison is false
        return x.CompareTo(y);
    }

    /// <summary>Python's <c>==</c>.</summary>
    public static bool NumericEquals(PyNumber a, PyNumber b) => Compare(a, b) == 0;
}

/// <summary>An exception Python would raise while evaluating (SyntaxError, NameError, ZeroDivisionError, ...).</summary>
internal sealed class PyError(string message) : Exception(message);
