namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>The measured rate of each candidate GEMM for one shape class, and the one chosen.</summary>
/// <param name="ShapeClass">Index of the class (0 = vector-shaped, then FLOP bands).</param>
/// <param name="Description">The class in words (<c>m≤4</c>, <c>16–64 MFLOP</c>, ...).</param>
/// <param name="Shape">The m × n × k product that was timed.</param>
/// <param name="Choice">Name of the faster candidate.</param>
/// <param name="Gflops">Best (minimum-time) rate of each candidate, GFLOP/s.</param>
public sealed record GemmClassMeasurement(int ShapeClass, string Description, string Shape, string Choice, IReadOnlyDictionary<string, double> Gflops);

/// <summary>A GEMM calibration: per shape class, which implementation this machine runs faster.</summary>
/// <param name="MachineKey">What the measurement depends on (CPU, ISA, cores, threads, library versions); a change recalibrates.</param>
/// <param name="MeasuredAt">When the calibration ran.</param>
/// <param name="Rounds">Interleaved timing rounds per class and candidate (the minimum is kept).</param>
/// <param name="Classes">One entry per shape class, in class order.</param>
public sealed record GemmCalibration(string MachineKey, DateTimeOffset MeasuredAt, int Rounds, IReadOnlyList<GemmClassMeasurement> Classes)
{
    /// <summary>The chosen candidate of <paramref name="shapeClass"/>.</summary>
    public string ChoiceOf(int shapeClass) => Classes[shapeClass].Choice;

    /// <summary>Bit i set when class i chose <paramref name="candidate"/>.</summary>
    public int MaskOf(string candidate)
    {
        int mask = 0;
        foreach (var c in Classes)
        {
            if (c.Choice == candidate) mask |= 1 << c.ShapeClass;
        }
        return mask;
    }
}
