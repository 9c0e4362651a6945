using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Configuration;

namespace Retain.Hosting.Evaluation;

/// <summary>What a benchmark run produced and where its per-item records are.</summary>
/// <param name="Result">Metrics.</param>
/// <param name="FromCache">Whether the result came from the cache.</param>
/// <param name="RecordsPath">The per-item records (JSONL), when written.</param>
public sealed record BenchmarkOutcome(BenchmarkResult Result, bool FromCache, string? RecordsPath);

/// <summary>Settings of one benchmark evaluation.</summary>
public sealed record BenchmarkSettings
{
    /// <summary>Data roots.</summary>
    public required IDataLocator Data { get; init; }

    /// <summary>Item limit (seeded subsample), or all.</summary>
    public int? Limit { get; init; }

    /// <summary>Seed.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>The initial model, for benchmarks relative to it.</summary>
    public ILanguageModel? ReferenceModel { get; init; }

    /// <summary>Where to write per-item records (JSONL), or null.</summary>
    public string? RecordsPath { get; init; }

    /// <summary>Progress of items.</summary>
    public IProgress<(int Done, int Total)>? Progress { get; init; }
}

/// <summary>
/// Runs benchmarks around their plugins: per-item records to a JSONL file, and results cached per (model hash,
/// benchmark, options, limit, seed, reference model) under the cache root, so an unchanged model is never evaluated twice.
/// </summary>
public sealed class BenchmarkRunner(string cacheRoot)
{
    /// <summary>The cache folder.</summary>
    public string CacheDirectory { get; } = Path.Combine(cacheRoot, "benchmarks");

    /// <summary>Evaluates a model, or returns the cached result of an identical evaluation.</summary>
    public BenchmarkOutcome Run(IBenchmark benchmark, ComponentReference reference, ILanguageModel model, BenchmarkSettings settings, bool useCache = true)
    {
        var key = CacheKey(reference, model.Id, settings);
        var entry = Path.Combine(CacheDirectory, key);
        var cachedResult = Path.Combine(entry, "result.json");
        if (useCache && File.Exists(cachedResult))
        {
            try
            {
                var cached = JsonSerializer.Deserialize<BenchmarkResult>(File.ReadAllText(cachedResult), ResultJson);
                if (cached is { Metrics.Count: > 0 })
                {
                    if (settings.RecordsPath is { } path && File.Exists(Path.Combine(entry, "records.jsonl")))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                        File.Copy(Path.Combine(entry, "records.jsonl"), path, overwrite: true);
                    }
                    return new BenchmarkOutcome(cached, true, settings.RecordsPath);
                }
            }
            catch (JsonException)
            {
                // A damaged cache entry is recomputed.
            }
        }

        Directory.CreateDirectory(entry);
        var recordsFile = Path.Combine(entry, $"records.jsonl.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        BenchmarkResult result;
        using (var recorder = new JsonlItemRecorder(recordsFile))
        {
            result = benchmark.Run(model, Context(settings, recorder));
        }
        File.Move(recordsFile, Path.Combine(entry, "records.jsonl"), overwrite: true);
        WriteAtomically(cachedResult, JsonSerializer.Serialize(result, ResultJson));
        if (settings.RecordsPath is { } records)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(records))!);
            File.Copy(Path.Combine(entry, "records.jsonl"), records, overwrite: true);
        }
        return new BenchmarkOutcome(result, false, settings.RecordsPath);
    }

    /// <summary>Scores responses produced elsewhere (never cached).</summary>
    public BenchmarkOutcome Score(IBenchmark benchmark, IReadOnlyList<ResponseRecord> responses, BenchmarkSettings settings)
    {
        using var recorder = settings.RecordsPath is null ? null : new JsonlItemRecorder(settings.RecordsPath);
        var result = benchmark.Score(responses, Context(settings, (IItemRecorder?)recorder ?? NullItemRecorder.Instance));
        return new BenchmarkOutcome(result, false, settings.RecordsPath);
    }

    private BenchmarkContext Context(BenchmarkSettings settings, IItemRecorder recorder) => new()
    {
        Data = settings.Data,
        Limit = settings.Limit,
        Seed = settings.Seed,
        ReferenceModel = settings.ReferenceModel,
        Records = recorder,
        CacheDirectory = CacheDirectory,
        Progress = settings.Progress,
    };

    /// <summary>JSON of results: NaN standard errors are written as "NaN".</summary>
    public static readonly JsonSerializerOptions ResultJson = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>A stable key of everything that determines a result.</summary>
    public static string CacheKey(ComponentReference reference, string modelId, BenchmarkSettings settings)
    {
        var text = string.Join("\n",
            "v1", reference.Name, ConfigurationText.ToJson(reference.Options)?.ToJsonString() ?? "{}", modelId,
            settings.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all", settings.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            settings.ReferenceModel?.Id ?? "self");
        return $"{reference.Name}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16]}";
    }

    private static void WriteAtomically(string path, string text)
    {
        Execution.AtomicFile.WriteAllText(path, text); // cells of a sweep in several processes share the cache
    }
}

/// <summary>Writes item records as JSON lines.</summary>
public sealed class JsonlItemRecorder : IItemRecorder, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Creates (truncates) the file.</summary>
    public JsonlItemRecorder(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
    }

    /// <inheritdoc />
    public void Add(ItemRecord record)
    {
        var line = JsonSerializer.Serialize(record, Json);
        lock (_gate) _writer.WriteLine(line);
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
