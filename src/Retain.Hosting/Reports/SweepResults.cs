using System.Text.Json;
using System.Text.Json.Serialization;
using Retain.Hosting.Reports.Summaries;

namespace Retain.Hosting.Reports;

/// <summary>Scores of a model: the domain metric and the general aggregate with its benchmarks.</summary>
public sealed record ModelScores
{
    /// <summary>Domain test metric (e.g. accuracy), null when not evaluated.</summary>
    [JsonPropertyName("domain")] public double? Domain { get; init; }

    /// <summary>Graded domain test items (the n of the binomial standard error).</summary>
    [JsonPropertyName("domainCount")] public int? DomainCount { get; init; }

    /// <summary>The domain metric's name.</summary>
    [JsonPropertyName("domainMetric")] public string DomainMetric { get; init; } = "accuracy";

    /// <summary>Best domain validation score (the selection criterion).</summary>
    [JsonPropertyName("validation")] public double? Validation { get; init; }

    /// <summary>General aggregate, null when no benchmark was kept.</summary>
    [JsonPropertyName("general")] public double? General { get; init; }

    /// <summary>Headline metric per benchmark.</summary>
    [JsonPropertyName("benchmarks")] public Dictionary<string, double> Benchmarks { get; init; } = [];

    /// <summary>The benchmarks' other metrics as <c>benchmark/metric</c> (e.g. <c>continuation/loglik_per_token,none</c>), with <c>_stderr</c> entries.</summary>
    [JsonPropertyName("details")] public Dictionary<string, double> Details { get; init; } = [];

    /// <summary>Benchmarks left out of the aggregate because the initial model scored below the threshold.</summary>
    [JsonPropertyName("excluded")] public List<string> Excluded { get; init; } = [];
}

/// <summary>How the checkpoint was selected: the domain validation curve it was picked from.</summary>
public sealed record SelectionResult
{
    /// <summary>The rule applied.</summary>
    [JsonPropertyName("rule")] public string Rule { get; init; } = "best domain validation score; ties keep the earliest step";

    /// <summary>Validation points on the curve.</summary>
    [JsonPropertyName("validations")] public int Validations { get; init; }

    /// <summary>Steps whose validation score equals the best one.</summary>
    [JsonPropertyName("tiedSteps")] public List<int> TiedSteps { get; init; } = [];

    /// <summary>Every validation point scored the same: the curve gave no signal and the earliest step was taken by the tie rule.</summary>
    [JsonPropertyName("flat")] public bool Flat { get; init; }

    /// <summary>The selection facts of a validation curve (step, score), in step order.</summary>
    public static SelectionResult? Of(IReadOnlyList<(int Step, double Score)> curve)
    {
        if (curve.Count == 0) return null;
        double best = curve.Max(p => p.Score);
        return new SelectionResult
        {
            Validations = curve.Count,
            TiedSteps = curve.Where(p => p.Score == best).Select(p => p.Step).ToList(),
            Flat = curve.Count > 1 && curve.All(p => p.Score == curve[0].Score),
        };
    }
}

/// <summary>A merged checkpoint of a run (e.g. a Wise-FT α) and its scores.</summary>
public sealed record CandidateResult
{
    /// <summary>The merge label, e.g. <c>alpha=0.50</c>.</summary>
    [JsonPropertyName("label")] public string Label { get; init; } = "";

    /// <summary>Its scores.</summary>
    [JsonPropertyName("scores")] public ModelScores Scores { get; init; } = new();
}

/// <summary>What one run of a sweep produced (<c>&lt;run&gt;/result.json</c>).</summary>
public sealed record RunResult
{
    /// <summary>The run's folder name.</summary>
    [JsonPropertyName("run")] public string Run { get; init; } = "";

    /// <summary>The method label.</summary>
    [JsonPropertyName("method")] public string Method { get; init; } = "";

    /// <summary>The peak learning rate.</summary>
    [JsonPropertyName("learningRate")] public double LearningRate { get; init; }

    /// <summary>The seed.</summary>
    [JsonPropertyName("seed")] public int Seed { get; init; }

    /// <summary><c>completed</c>, <c>failed</c> or <c>diverged</c>.</summary>
    [JsonPropertyName("status")] public string Status { get; init; } = "completed";

    /// <summary>Why it failed.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }

    /// <summary>The optimizer step of the selected checkpoint.</summary>
    [JsonPropertyName("selectedStep")] public int? SelectedStep { get; init; }

    /// <summary>Optimizer steps run.</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; }

    /// <summary>How the checkpoint was selected (flat validation curves are flagged), when validation ran.</summary>
    [JsonPropertyName("selection")] public SelectionResult? Selection { get; init; }

    /// <summary>Scores of the selected checkpoint.</summary>
    [JsonPropertyName("scores")] public ModelScores Scores { get; init; } = new();

    /// <summary>Merged checkpoints, when a post-training merge ran.</summary>
    [JsonPropertyName("candidates")] public List<CandidateResult> Candidates { get; init; } = [];
}

/// <summary>One line of a run's <c>metrics.jsonl</c>: the step and its named values.</summary>
public sealed record StepRecord(int Step, IReadOnlyDictionary<string, double> Values);

/// <summary>A sweep's results as the report reads them from its directory.</summary>
public sealed class SweepResults
{
    /// <summary>The sweep's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its directory.</summary>
    public required string Directory { get; init; }

    /// <summary>Free-form facts for the header (model, dataset, date, ...).</summary>
    public Dictionary<string, string> Facts { get; init; } = [];

    /// <summary>The initial model's scores (the Init point), when evaluated.</summary>
    public ModelScores? Init { get; init; }

    /// <summary>The runs.</summary>
    public List<RunResult> Runs { get; init; } = [];

    /// <summary>Step metrics per run name.</summary>
    public Dictionary<string, List<StepRecord>> Curves { get; init; } = [];

    /// <summary>
    /// The most frequent domain test answer of each selected checkpoint (key: run name) and merged candidate (key:
    /// <c>run (label)</c>), from its per-item records.
    /// </summary>
    public Dictionary<string, AnswerShare> Answers { get; init; } = [];

    /// <summary>The test set's most frequent reference: what answering one constant string scores at best.</summary>
    public AnswerShare? References { get; init; }

    /// <summary>JSON settings of the result files.</summary>
    public static JsonSerializerOptions Json { get; } = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// Reads <c>sweep.json</c> (facts), <c>init/result.json</c>, every <c>&lt;run&gt;/result.json</c> and
    /// <c>metrics.jsonl</c>; a malformed file is an <see cref="InvalidDataException"/> naming it and its line.
    /// </summary>
    public static SweepResults Load(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"sweep directory not found: {directory}");
        var facts = ReadJson<Dictionary<string, string>>(Path.Combine(directory, "sweep.json")) ?? [];
        var init = LoadInit(directory);
        var runs = new List<RunResult>();
        var curves = new Dictionary<string, List<StepRecord>>();
        var answers = new Dictionary<string, AnswerShare>();
        if (AnswerShare.FromRecords(Path.Combine(directory, "init", "domain-test.jsonl"), "extracted", "response") is { } initShare) answers["init"] = initShare;
        foreach (var runDirectory in System.IO.Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(runDirectory) is "init" or "figures") continue;
            if (ReadJson<RunResult>(Path.Combine(runDirectory, "result.json")) is not { Run.Length: > 0 } run) continue;
            runs.Add(run);
            curves[run.Run] = ReadMetrics(Path.Combine(runDirectory, "metrics.jsonl"));
            if (AnswerShare.FromRecords(Path.Combine(runDirectory, "eval", "domain-test.jsonl"), "extracted", "response") is { } share) answers[run.Run] = share;
            foreach (var candidate in run.Candidates)
            {
                var records = Path.Combine(runDirectory, "eval", Kernel.Merging.CheckpointMerger.DirectoryName(candidate.Label), "domain-test.jsonl");
                if (AnswerShare.FromRecords(records, "extracted", "response") is { } candidateShare) answers[$"{run.Run} ({candidate.Label})"] = candidateShare;
            }
        }
        return new SweepResults
        {
            Name = facts.GetValueOrDefault("name") ?? Path.GetFileName(Path.GetFullPath(directory)),
            Directory = directory,
            Facts = facts,
            Init = init,
            Runs = runs,
            Curves = curves,
            Answers = answers,
            References = AnswerShare.FromRecords(Path.Combine(directory, "init", "domain-test.jsonl"), "reference"),
        };
    }

    /// <summary>The initial model's scores of a sweep folder, when evaluated.</summary>
    public static ModelScores? LoadInit(string directory) => ReadJson<ModelScores>(Path.Combine(directory, "init", "result.json"));

    private static T? ReadJson<T>(string path) where T : class
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON at line {(e.LineNumber ?? 0) + 1}: {e.Message}", e);
        }
    }

    /// <summary>Reads a metrics log: numeric values of each line, keyed by name; lines without a step are skipped.</summary>
    public static List<StepRecord> ReadMetrics(string path)
    {
        var records = new List<StepRecord>();
        if (!File.Exists(path)) return records;
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                // A run killed mid-write leaves a torn last line; anything else is corruption.
                if (File.ReadLines(path).Skip(line).Any(l => !string.IsNullOrWhiteSpace(l))) throw new InvalidDataException($"{path}:{line}: malformed metrics line.");
                break;
            }
            using (document)
            {
                if (!document.RootElement.TryGetProperty("step", out var step)) continue;
                var values = new Dictionary<string, double>();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Number) values[property.Name] = property.Value.GetDouble();
                }
                records.Add(new StepRecord(step.GetInt32(), values));
            }
        }
        return records;
    }
}
