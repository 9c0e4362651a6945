using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Kernel.Diagnostics;

namespace Retain.Hosting.Performance;

/// <summary>
/// One side's numbers for one case. Retain's measuring child process and the PyTorch peer script both print this as
/// one JSON object (<c>tokens</c>, <c>tokens_per_s</c>, <c>seconds</c>, <c>peak_rss_mb</c>, <c>parameters</c>, optional
/// <c>alloc_bytes_per_run</c>, <c>peak_device_mb</c>, <c>ops</c> and <c>detail</c>), so the two are read the same way.
/// </summary>
/// <param name="Tokens">Tokens one run processes.</param>
/// <param name="TokensPerSecond">Tokens / median seconds.</param>
/// <param name="Seconds">Timed runs.</param>
/// <param name="PeakRssMb">Peak resident memory of the measuring process (VmHWM), MiB.</param>
/// <param name="Parameters">Model parameters.</param>
/// <param name="AllocatedBytesPerRun">Managed allocations per timed run (Retain only).</param>
/// <param name="Detail">Backend, library versions.</param>
public sealed record CaseMeasurement(int Tokens, double TokensPerSecond, TimingSamples Seconds, double? PeakRssMb, long Parameters,
    long? AllocatedBytesPerRun, string? Detail)
{
    /// <summary>Peak device memory in MiB (GPU cases: Retain's caching allocator, torch.cuda.max_memory_reserved).</summary>
    public double? PeakDeviceMb { get; init; }

    /// <summary>Per-op time of one run, slowest first (Retain with <c>--ops</c>).</summary>
    public IReadOnlyList<OpTime>? Ops { get; init; }

    /// <summary>The JSON object.</summary>
    public JsonObject ToJson() => new()
    {
        ["tokens"] = Tokens,
        ["tokens_per_s"] = TokensPerSecond,
        ["seconds"] = SecondsJson(Seconds),
        ["peak_rss_mb"] = PeakRssMb,
        ["parameters"] = Parameters,
        ["alloc_bytes_per_run"] = AllocatedBytesPerRun,
        ["detail"] = Detail,
        ["peak_device_mb"] = PeakDeviceMb,
        ["ops"] = OpsJson(Ops),
    };

    /// <summary>Per-op times as <c>[{"op", "seconds_per_run", "calls_per_run"}]</c>, or null.</summary>
    public static JsonArray? OpsJson(IReadOnlyList<OpTime>? ops) => ops is null ? null
        : new JsonArray(ops.Select(o => (JsonNode)new JsonObject { ["op"] = o.Op, ["seconds_per_run"] = o.SecondsPerRun, ["calls_per_run"] = o.CallsPerRun }).ToArray());

    /// <summary>Timing samples as <c>{"median", "min", "max", "count"}</c>.</summary>
    public static JsonObject SecondsJson(TimingSamples s) => new()
    {
        ["median"] = s.Median, ["min"] = s.Min, ["max"] = s.Max, ["count"] = s.Count,
        ["samples"] = s.Samples is { } all ? new JsonArray(all.Select(x => (JsonNode)x).ToArray()) : null,
    };

    /// <summary>
    /// One measurement from several of the same case (the interleaved chunks of a comparison): all timed runs pooled,
    /// the peak memory and allocations the largest, the per-op profile and detail of the first.
    /// </summary>
    public static CaseMeasurement Merge(IReadOnlyList<CaseMeasurement> parts)
    {
        if (parts.Count == 1) return parts[0];
        if (parts.Any(p => p.Seconds.Samples is null)) throw new FormatException("A measurement to pool has no per-run samples.");
        var seconds = TimingSamples.From(parts.SelectMany(p => p.Seconds.Samples!).ToArray());
        var first = parts[0];
        return new CaseMeasurement(first.Tokens, first.Tokens / seconds.Median, seconds, parts.Max(p => p.PeakRssMb), first.Parameters,
            parts.Max(p => p.AllocatedBytesPerRun), first.Detail)
        {
            PeakDeviceMb = parts.Max(p => p.PeakDeviceMb),
            Ops = first.Ops,
        };
    }

    /// <summary>Reads the object one side printed; <paramref name="source"/> names that side in errors.</summary>
    public static CaseMeasurement Parse(string text, string source)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith('{'))
            ?? throw new FormatException($"{source} printed no JSON result.");
        try
        {
            var json = JsonNode.Parse(line)!.AsObject();
            var seconds = json["seconds"]!.AsObject();
            return new CaseMeasurement(
                json["tokens"]!.GetValue<int>(),
                json["tokens_per_s"]!.GetValue<double>(),
                new TimingSamples(seconds["median"]!.GetValue<double>(), seconds["min"]!.GetValue<double>(), seconds["max"]!.GetValue<double>(), seconds["count"]!.GetValue<int>())
                {
                    Samples = seconds["samples"]?.AsArray().Select(x => x!.GetValue<double>()).ToArray(),
                },
                json["peak_rss_mb"]?.GetValue<double>(),
                json["parameters"]!.GetValue<long>(),
                json["alloc_bytes_per_run"]?.GetValue<long>(),
                json["detail"]?.GetValue<string>() ?? DescribePeer(json))
            {
                PeakDeviceMb = json["peak_device_mb"]?.GetValue<double>(),
                Ops = json["ops"]?.AsArray().Select(o => new OpTime(o!["op"]!.GetValue<string>(), o["seconds_per_run"]!.GetValue<double>(), o["calls_per_run"]!.GetValue<double>())).ToArray(),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new FormatException($"{source} printed a result that could not be read ({e.Message}): {line}");
        }
    }

    private static string? DescribePeer(JsonObject json) =>
        json["torch_version"] is { } version
            ? string.Create(CultureInfo.InvariantCulture, $"torch {version.GetValue<string>()}, {json["threads"]?.GetValue<int>()} threads, weights: {json["weights"]?.GetValue<string>()}")
            : null;

    /// <summary>Peak resident memory of this process in MiB (VmHWM where /proc has it).</summary>
    public static double PeakRssOfThisProcess()
    {
        if (MachineInfo.ProcKilobytes("/proc/self/status", "VmHWM:") is { } kb) return kb / 1024.0;
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Compact JSON, one line.</summary>
    public string ToJsonLine() => ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}

/// <summary>One backend op's share of a run.</summary>
/// <param name="Op">The op (an <c>IBackend</c> method).</param>
/// <param name="SecondsPerRun">Seconds per run.</param>
/// <param name="CallsPerRun">Calls per run.</param>
public sealed record OpTime(string Op, double SecondsPerRun, double CallsPerRun);
