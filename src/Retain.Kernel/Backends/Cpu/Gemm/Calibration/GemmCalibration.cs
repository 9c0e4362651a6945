namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>The measured rate of each candidate GEMM for one route (shape class and operand layout), and the one chosen.</summary>
/// <param name="Route">Index of the route (<see cref="GemmShapeClass.RouteOf"/>: class × layouts + layout).</param>
/// <param name="Description">The class in words (<c>m≤4</c>, <c>16–64 MFLOP</c>, ...).</param>
/// <param name="Layout">The operand layout in words (<c>A·Bᵀ</c>, <c>A·B</c>, <c>Aᵀ·B</c>).</param>
/// <param name="Shape">The m × n × k product that was timed.</param>
/// <param name="Choice">Name of the faster candidate.</param>
/// <param name="Gflops">Best (minimum-time) rate of each candidate, GFLOP/s.</param>
public sealed record GemmRouteMeasurement(int Route, string Description, string Layout, string Shape, string Choice, IReadOnlyDictionary<string, double> Gflops);

/// <summary>A GEMM calibration: per route (shape class and operand layout), which implementation this machine runs faster.</summary>
/// <param name="MachineKey">What the measurement depends on (CPU, ISA, cores, threads, library versions); a change recalibrates.</param>
/// <param name="MeasuredAt">When the calibration ran.</param>
/// <param name="Rounds">Interleaved timing rounds per route and candidate (the minimum is kept).</param>
/// <param name="Routes">One entry per route, in route order.</param>
/// <param name="OtherCpus">
/// Logical CPUs other processes kept busy on average while it ran (from <c>/proc/stat</c>; null where that cannot be
/// read). Above <see cref="QuietLimit"/> the calibration is <see cref="Provisional"/>.
/// </param>
public sealed record GemmCalibration(string MachineKey, DateTimeOffset MeasuredAt, int Rounds, IReadOnlyList<GemmRouteMeasurement> Routes, double? OtherCpus = null)
{
    /// <summary>
    /// Other processes' average CPU use, in logical CPUs, above which a calibration is not trusted beyond its own process:
    /// on a 2-core machine one busy neighbour halves the split GEMM's rate and not OpenBLAS's single-threaded blocks', so
    /// a calibration taken then picks the wrong side (measured 2026-12-02: 199 vs 207 GFLOP/s at 256×2304×768 right after
    /// a build, 334–361 vs 216–218 idle).
    /// </summary>
    public const double QuietLimit = 0.25;

    /// <summary>Taken while other processes were busy: used by the process that took it, recalibrated by the next one.</summary>
    public bool Provisional => OtherCpus > QuietLimit;

    /// <summary>The chosen candidate of <paramref name="route"/>.</summary>
    public string ChoiceOf(int route) => Routes[route].Choice;

    /// <summary>Bit i set when route i chose <paramref name="candidate"/>.</summary>
    public int MaskOf(string candidate)
    {
        int mask = 0;
        foreach (var c in Routes)
        {
            if (c.Choice == candidate) mask |= 1 << c.Route;
        }
        return mask;
    }
}
