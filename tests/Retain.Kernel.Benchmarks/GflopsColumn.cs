using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Retain.Kernel.Benchmarks;

/// <summary>GFLOP/s of a GEMM benchmark: 2·m·n·k of its <see cref="GemmShape"/> over the mean time.</summary>
public sealed class GflopsColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(GflopsColumn);

    /// <inheritdoc />
    public string ColumnName => "GFLOP/s";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Billions of floating-point operations per second (2·m·n·k / mean)";

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var shape = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<GemmShape>().FirstOrDefault();
        var report = summary[benchmarkCase];
        if (shape is null || report?.ResultStatistics is not { } statistics) return "-";
        return (shape.Flops / statistics.Mean).ToString("N1", System.Globalization.CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
    }
}
