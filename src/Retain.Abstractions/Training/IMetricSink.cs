namespace Retain.Training;

/// <summary>
/// Receives a strategy's per-step metrics (weight statistics, τ, regularizer value, ...). Values recorded under the
/// same name within one optimizer step are averaged over micro-batches; the run log stores them as
/// <c>&lt;strategy&gt;/&lt;name&gt;</c>.
/// </summary>
public interface IMetricSink
{
    /// <summary>Records one value.</summary>
    void Record(string name, double value);
}

/// <summary>A sink that drops everything, for callers that do not log.</summary>
public sealed class NullMetricSink : IMetricSink
{
    /// <summary>The shared instance.</summary>
    public static readonly NullMetricSink Instance = new();

    /// <inheritdoc />
    public void Record(string name, double value) { }
}
