using System.Globalization;
using System.Numerics;

namespace Retain.Datasets.MedCalc.Python;

/// <summary>Python's float formatting and rounding, bit-exact.</summary>
internal static class PyFloat
{
    /// <summary>
    /// Python's <c>repr(float)</c>: the shortest digits that round-trip, positional when the decimal exponent is in
    /// (−4, 16], else scientific with a signed two-digit-minimum exponent (<c>1e-05</c>, <c>1.5e+16</c>); integral
    /// values keep <c>.0</c>; <c>nan</c>, <c>inf</c>, <c>-inf</c>.
    /// </summary>
    public static string Repr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        string sign = double.IsNegative(x) ? "-" : "";
        if (x == 0) return sign + "0.0";

        // .NET's "R" is the shortest round-trip form too; only the layout differs from Python's.
        string s = Math.Abs(x).ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOfAny(['E', 'e']);
        int exponent = e >= 0 ? int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        string mantissa = e >= 0 ? s[..e] : s;
        int dot = mantissa.IndexOf('.');
        string integerPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string digits = integerPart + (dot >= 0 ? mantissa[(dot + 1)..] : "");
        int point = integerPart.Length + exponent; // value = 0.digits × 10^point
        int leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits[leading..].TrimEnd('0');
        point -= leading;

        if (point > -4 && point <= 16)
        {
            if (point <= 0) return sign + "0." + new string('0', -point) + digits;
            if (point >= digits.Length) return sign + digits + new string('0', point - digits.Length) + ".0";
            return sign + digits[..point] + "." + digits[point..];
        }
        int scientific = point - 1;
        string body = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
        return sign + body + "e" + (scientific < 0 ? "-" : "+") + Math.Abs(scientific).ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Python's <c>round(x, n)</c> for a float: the exact binary value rounded half-to-even at the n-th decimal
    /// (so <c>round(2.675, 2)</c> is 2.67), then read back as the nearest double.
    /// </summary>
    public static double Round(double x, int digits)
    {
        if (double.IsNaN(x) || double.IsInfinity(x) || x == 0) return x;
        if (digits > 330) return x;
        if (digits < -330) return 0.0 * x;

        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(x));
        int rawExponent = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        BigInteger mantissa = rawExponent == 0 ? fraction : fraction | (1L << 52);
        int binaryExponent = (rawExponent == 0 ? 1 : rawExponent) - 1075;

        // |x|·10^digits = numerator / denominator exactly.
        BigInteger numerator = mantissa, denominator = BigInteger.One;
        if (binaryExponent >= 0) numerator <<= binaryExponent; else denominator <<= -binaryExponent;
        if (digits >= 0) numerator *= BigInteger.Pow(10, digits); else denominator *= BigInteger.Pow(10, -digits);

        BigInteger quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven)) quotient += 1;

        string text = (double.IsNegative(x) ? "-" : "") + quotient.ToString(CultureInfo.InvariantCulture) + "E" + (-digits).ToString(CultureInfo.InvariantCulture);
        return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>round(x)</c> for a float: half-to-even to an int; inf and nan raise.</summary>
    public static BigInteger RoundToInteger(double x)
    {
        if (double.IsNaN(x)) throw new PyError("ValueError: cannot convert float NaN to integer");
        if (double.IsInfinity(x)) throw new PyError("OverflowError: cannot convert float infinity to integer");
        return new BigInteger(Math.Round(x, MidpointRounding.ToEven));
    }

    /// <summary>Python's <c>int(x)</c> for a float: truncation toward zero; inf and nan raise.</summary>
    public static BigInteger Truncate(double x)
    {
        if (double.IsNaN(x)) throw new PyError("ValueError: cannot convert float NaN to integer");
        if (double.IsInfinity(x)) throw new PyError("OverflowError: cannot convert float infinity to integer");
        return new BigInteger(Math.Truncate(x));
    }
}
