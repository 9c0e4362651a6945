namespace Retain.Kernel.Models;

/// <summary>
/// Rotary inverse frequencies and cos/sin tables, computed in double (Hugging Face computes them in float32; the
/// difference is far below training noise) and rounded to float once.
/// </summary>
public static class RotaryTables
{
    /// <summary>θ_i for i &lt; headDim/2, with <c>linear</c> or <c>llama3</c> scaling applied.</summary>
    public static double[] InverseFrequencies(int headDim, double theta, RopeScaling? scaling)
    {
        int half = headDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++) inv[i] = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
        if (scaling is null) return inv;
        switch (scaling.Type)
        {
            case "linear":
                for (int i = 0; i < half; i++) inv[i] /= scaling.Factor;
                return inv;
            case "llama3":
                double lowWavelength = scaling.OriginalMaxPositions / scaling.LowFrequencyFactor;
                double highWavelength = scaling.OriginalMaxPositions / scaling.HighFrequencyFactor;
                for (int i = 0; i < half; i++)
                {
                    double wavelength = 2 * Math.PI / inv[i];
                    double scaled = wavelength > lowWavelength ? inv[i] / scaling.Factor : inv[i];
                    bool medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
                    if (medium)
                    {
                        double smooth = (scaling.OriginalMaxPositions / wavelength - scaling.LowFrequencyFactor) / (scaling.HighFrequencyFactor - scaling.LowFrequencyFactor);
                        scaled = (1 - smooth) * scaled / scaling.Factor + smooth * scaled;
                    }
                    inv[i] = scaled;
                }
                return inv;
            default:
                throw new ArgumentException($"Unknown rope scaling '{scaling.Type}'.");
        }
    }

    /// <summary>cos and sin of position·θ_i, positions × (headDim/2), row-major.</summary>
    public static (float[] Cos, float[] Sin) Build(int positions, int headDim, double theta, RopeScaling? scaling)
    {
        var inv = InverseFrequencies(headDim, theta, scaling);
        int half = headDim / 2;
        var cos = new float[(long)positions * half];
        var sin = new float[(long)positions * half];
        for (int p = 0; p < positions; p++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = p * inv[i];
                cos[(long)p * half + i] = (float)Math.Cos(angle);
                sin[(long)p * half + i] = (float)Math.Sin(angle);
            }
        }
        return (cos, sin);
    }
}
