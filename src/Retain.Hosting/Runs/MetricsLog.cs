using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Retain.Hosting.Runs;

/// <summary>
/// A run's <c>metrics.jsonl</c>: one JSON object per line with a <c>step</c>, flushed per line so a killed run
/// loses at most the line being written. On resume, lines after the checkpoint's step are dropped, so the log of an
/// interrupted run ends up identical to an uninterrupted one (timings aside).
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    private MetricsLog(StreamWriter writer) => _writer = writer;

    /// <summary>Opens the log, keeping only complete lines whose step is at most <paramref name="keepThroughStep"/>.</summary>
    public static MetricsLog Open(string path, int keepThroughStep)
    {
        var kept = new List<string>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    var node = JsonNode.Parse(line);
                    if (node?["step"]?.GetValue<int>() is int step && step <= keepThroughStep) kept.Add(line);
                }
                catch (JsonException)
                {
                    // the torn last line of a killed run
                }
            }
        }
        File.WriteAllLines(path, kept);
        return new MetricsLog(new StreamWriter(path, append: true, new UTF8Encoding(false)) { AutoFlush = true });
    }

    /// <summary>Appends a record.</summary>
    public void Write(IReadOnlyDictionary<string, object?> values)
        => _writer.WriteLine(JsonSerializer.Serialize(values, Json));

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}

/// <summary>
/// Collects per-step strategy metrics: values recorded under one name within a step are averaged, and names are
/// prefixed with the strategy's component name (<c>talr/tau</c>).
/// </summary>
public sealed class StepMetrics
{
    private readonly Dictionary<string, (double Sum, int Count)> _values = [];

    /// <summary>A sink that prefixes names with <paramref name="prefix"/>.</summary>
    public Retain.Training.IMetricSink For(string prefix) => new Sink(this, prefix + "/");

    /// <summary>The averages, then clears.</summary>
    public Dictionary<string, double> Drain()
    {
        var result = _values.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count);
        _values.Clear();
        return result;
    }

    private void Add(string name, double value)
    {
        var (sum, count) = _values.GetValueOrDefault(name);
        _values[name] = (sum + value, count + 1);
    }

    private sealed class Sink(StepMetrics owner, string prefix) : Retain.Training.IMetricSink
    {
        public void Record(string name, double value) => owner.Add(prefix + name, value);
    }
}
