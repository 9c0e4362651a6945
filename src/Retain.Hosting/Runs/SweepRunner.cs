using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Hosting.Configuration;
using Retain.Hosting.Lifetime;
using Retain.Hosting.Reports;

namespace Retain.Hosting.Runs;

/// <summary>How to run a sweep.</summary>
public sealed record SweepOptions
{
    /// <summary>Continue in an output folder whose configuration changed (runs whose settings changed start over).</summary>
    public bool Force { get; init; }

    /// <summary>Run only the runs whose name contains this text (others are left as they are).</summary>
    public string? Only { get; init; }
}

/// <summary>What a sweep produced.</summary>
public sealed record SweepOutcome(SweepResults Results, ReportWriter.Output Report);

/// <summary>
/// Runs a sweep: validates the configuration, refuses a changed configuration under an existing output folder
/// unless forced, prepares the shared data and model once, evaluates the initial model (the Init point), trains and
/// evaluates each run as an independent job — skipping finished runs, resuming interrupted ones, and going on when
/// one diverges or fails — and writes the report.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs the sweep a bound configuration describes.</summary>
    public static SweepOutcome Run(BoundRunConfig bound, SweepOptions options, ISweepObserver observer)
    {
        using var host = RetainHost.ForRun(bound);
        var plan = SweepPlan.Create(bound);
        CheckUnchanged(bound, plan, options.Force);
        Directory.CreateDirectory(plan.Directory);
        if (EarlyExitRecord.TakePrevious(plan.Directory) is { } previous) observer.Status("sweep", previous);
        // If something ends the process before the sweep does (Environment.Exit in a plugin), the folder says so.
        using var unfinished = UnfinishedWork.Begin($"running the sweep {plan.Directory}", message => EarlyExitRecord.Write(plan.Directory, message));
        WriteSweepFiles(bound, plan);

        using (var sweep = SweepContext.Prepare(bound, host, plan, observer))
        {
            using (UnfinishedWork.Begin("evaluating the initial model")) EvaluateInitial(sweep, observer);
            foreach (var spec in plan.Runs.Where(r => options.Only is null || r.Name.Contains(options.Only, StringComparison.OrdinalIgnoreCase)))
            {
                var directory = Path.Combine(plan.Directory, spec.Name);
                if (Finished(directory, spec) is { } done)
                {
                    observer.RunFinished(spec, done, skipped: true);
                    continue;
                }
                if (Directory.Exists(directory) && RunHash(directory) is { } hash && hash != spec.Hash)
                {
                    Directory.Delete(directory, recursive: true); // forced: its settings changed, so it starts over
                }
                var leftovers = LeftoverTemporaries.Clean(directory);
                if (leftovers.Count > 0) observer.Status(spec.Name, $"removed what an interrupted write left: {string.Join(", ", leftovers)}");
                RunResult result;
                try
                {
                    using var training = UnfinishedWork.Begin($"training and evaluating the run {spec.Name}");
                    result = new RunTrainer(sweep, spec, observer).Execute();
                }
                catch (Exception e) when (e is not OutOfMemoryException and not ConfigurationException)
                {
                    // One failing run does not stop the sweep; it is retried by the next 'retain run'.
                    result = new RunResult { Run = spec.Name, Method = spec.Method.Label, LearningRate = spec.LearningRate, Seed = spec.Seed, Status = "failed", Error = e.Message };
                    File.WriteAllText(RunTrainer.ResultPath(directory), JsonSerializer.Serialize(result, SweepResults.Json));
                }
                observer.RunFinished(spec, result, skipped: false);
            }
        }
        observer.Status("sweep", "writing the report");
        var results = SweepResults.Load(plan.Directory);
        return new SweepOutcome(results, ReportWriter.Write(results));
    }

    /// <summary>The run's finished result, or null when it has to run (absent, failed, or of other settings).</summary>
    private static RunResult? Finished(string directory, RunSpec spec)
    {
        var path = RunTrainer.ResultPath(directory);
        if (!File.Exists(path) || RunHash(directory) != spec.Hash) return null;
        try
        {
            var result = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), SweepResults.Json);
            return result is { Status: "completed" or "diverged" } ? result : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? RunHash(string directory)
    {
        var path = Path.Combine(directory, "run.json");
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["hash"]?.GetValue<string>();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void CheckUnchanged(BoundRunConfig bound, SweepPlan plan, bool force)
    {
        var resolved = Path.Combine(plan.Directory, "config.resolved.json");
        if (!File.Exists(resolved) || force) return;
        JsonNode? previous;
        try
        {
            previous = JsonNode.Parse(File.ReadAllText(resolved));
        }
        catch (JsonException)
        {
            return;
        }
        var changes = new List<string>();
        Diff(previous, plan.Effective, "", changes);
        if (changes.Count == 0) return;
        throw new ConfigurationException([new ConfigurationError(bound.Configuration.FilePath, "",
            $"the configuration differs from the one that started {plan.Directory} (changed: {string.Join(", ", changes.Take(10))}{(changes.Count > 10 ? ", ..." : "")}). " +
            "Use another output folder or name, or --force to continue there with the new configuration (finished runs whose own settings did not change are kept; the others start over).")]);
    }

    private static void Diff(JsonNode? before, JsonNode? after, string path, List<string> changes)
    {
        if (before is JsonObject a && after is JsonObject b)
        {
            foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key), StringComparer.OrdinalIgnoreCase).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                Diff(a.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value,
                     b.FirstOrDefault(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value,
                     path.Length == 0 ? key : $"{path}.{key}", changes);
            }
            return;
        }
        if (!JsonNode.DeepEquals(before, after)) changes.Add(path.Length == 0 ? "(root)" : path);
    }

    private static void WriteSweepFiles(BoundRunConfig bound, SweepPlan plan)
    {
        var config = bound.Config;
        var facts = new Dictionary<string, string>
        {
            ["name"] = config.Name!,
            ["model"] = bound.ResolvePath(config.Model),
            ["dataset"] = config.Dataset!.Name,
            ["device"] = config.Device,
            ["methods"] = string.Join(", ", config.Methods.Select(m => m.Label)),
            ["learning rates"] = string.Join(", ", config.LearningRates.Select(ReportWriter.Lr)),
            ["seeds"] = string.Join(", ", config.Seeds),
            ["benchmarks"] = config.Benchmarks.Count == 0 ? "none" : string.Join(", ", config.Benchmarks.Select(b => b.Name)),
            ["configuration"] = bound.Configuration.FilePath,
        };
        File.WriteAllText(Path.Combine(plan.Directory, "sweep.json"), JsonSerializer.Serialize(facts, SweepResults.Json));
        File.WriteAllText(Path.Combine(plan.Directory, "config.resolved.json"), plan.Effective.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Evaluates the initial model once (domain test and validation, general benchmarks): the Init point.</summary>
    private static void EvaluateInitial(SweepContext sweep, ISweepObserver observer)
    {
        var directory = Path.Combine(sweep.Plan.Directory, "init");
        var resultPath = Path.Combine(directory, "result.json");
        var key = Path.Combine(directory, "key.txt");
        var expected = InitKey(sweep);
        if (File.Exists(resultPath) && File.Exists(key) && File.ReadAllText(key) == expected) return;
        Directory.CreateDirectory(directory);
        var model = sweep.Initial.Language;
        observer.Status("init", "evaluating the initial model on the domain");
        var validation = DomainEvaluation.Evaluate(model, sweep.Evaluator, sweep.Encoder, sweep.Validation, Path.Combine(directory, "domain-validation.jsonl"));
        var test = DomainEvaluation.Evaluate(model, sweep.Evaluator, sweep.Encoder, sweep.Test, Path.Combine(directory, "domain-test.jsonl"));
        var details = new Dictionary<string, double>();
        var benchmarks = sweep.General.Run(model, null, directory, s => observer.Status("init", s), details: details);
        var scores = sweep.General.Scores(test, validation.Value, benchmarks, benchmarks, details);
        File.WriteAllText(resultPath, JsonSerializer.Serialize(scores, SweepResults.Json));
        File.WriteAllText(key, expected);
    }

    /// <summary>What the Init point depends on: the effective configuration minus the training-only parts.</summary>
    private static string InitKey(SweepContext sweep)
    {
        var effective = (JsonObject)sweep.Plan.Effective.DeepClone();
        foreach (var name in effective.Select(p => p.Key).Where(k => k.ToLowerInvariant() is "methods" or "learningrates" or "seeds" or "training" or "name" or "output" or "plugins").ToList())
        {
            effective.Remove(name);
        }
        return effective.ToJsonString();
    }
}
