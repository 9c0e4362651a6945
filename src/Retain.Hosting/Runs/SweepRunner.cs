using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Hosting.Configuration;
using Retain.Hosting.Lifetime;
using Retain.Hosting.Execution;
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
/// <param name="Results">The results in the sweep folder.</param>
/// <param name="Report">The report written from them.</param>
/// <param name="HeldElsewhere">Cells this process left to other live processes that hold them ("cell: holder").</param>
public sealed record SweepOutcome(SweepResults Results, ReportWriter.Output Report, IReadOnlyList<string> HeldElsewhere)
{
    /// <summary>An outcome of a sweep this process ran to its end.</summary>
    public SweepOutcome(SweepResults results, ReportWriter.Output report) : this(results, report, []) { }
}

/// <summary>
/// Runs a sweep: validates the configuration, refuses a changed configuration under an existing output folder
/// unless forced, prepares the shared data and model once, evaluates the initial model (the Init point), trains and
/// evaluates each run as an independent cell under its cell lock — skipping finished runs, resuming interrupted ones,
/// leaving cells other live processes hold to them, and going on when one diverges or fails — and writes the report.
/// Executors (Execution/) run the same cells in other processes with <see cref="RunCell"/>.
/// </summary>
public static class SweepRunner
{
    /// <summary>Runs the sweep a bound configuration describes.</summary>
    public static SweepOutcome Run(BoundRunConfig bound, SweepOptions options, ISweepObserver observer)
    {
        using var host = RetainHost.ForRun(bound);
        var plan = Start(bound, options.Force);
        if (EarlyExitRecord.TakePrevious(plan.Directory) is { } previous) observer.Status("sweep", previous);
        // If something ends the process before the sweep does (Environment.Exit in a plugin), the folder says so.
        using var unfinished = UnfinishedWork.Begin($"running the sweep {plan.Directory}", message => EarlyExitRecord.Write(plan.Directory, message));
        var held = new List<string>();
        using (var sweep = SweepContext.Prepare(bound, host, plan, observer))
        {
            using (UnfinishedWork.Begin("evaluating the initial model")) InitialEvaluation.Ensure(sweep, observer);
            foreach (var spec in Selected(plan, options.Only))
            {
                if (CellRunner.Run(sweep, spec, observer).HeldBy is { } holder) held.Add($"{spec.Name}: {holder}");
            }
        }
        observer.Status("sweep", "writing the report");
        return Finish(plan.Directory, held);
    }

    /// <summary>
    /// Runs one cell (<c>init</c> or a run's name) in this process: the verb behind <c>retain run CONFIG --cell ID</c>
    /// that the executors start. Returns the run's outcome (no result for the Init cell).
    /// </summary>
    public static CellOutcome RunCell(BoundRunConfig bound, string cell, ISweepObserver observer)
    {
        using var host = RetainHost.ForRun(bound);
        var plan = SweepPlan.Create(bound);
        var spec = plan.Runs.FirstOrDefault(r => r.Name == cell);
        if (spec is null && cell != SweepCells.Init)
        {
            throw new ConfigurationException([new ConfigurationError(bound.Configuration.FilePath, "",
                $"the sweep has no cell '{cell}'; its cells are: {string.Join(", ", SweepCells.Of(plan).Select(c => c.Name))}.")]);
        }
        Start(bound, force: false, plan);
        SweepContext sweep;
        try
        {
            sweep = SweepContext.Prepare(bound, host, plan, observer);
        }
        catch (Exception e) when (spec is not null && e is not OutOfMemoryException)
        {
            // A cell started alone (by an executor) records why it could not start, for 'retain status'.
            CellRunner.RecordFailure(plan.Directory, spec, e.Message);
            throw;
        }
        using (sweep)
        {
            if (spec is null)
            {
                InitialEvaluation.Ensure(sweep, observer);
                return new CellOutcome(null, null);
            }
            return CellRunner.Run(sweep, spec, observer);
        }
    }

    /// <summary>
    /// Plans the sweep, refuses a changed configuration under an existing folder unless forced, and writes the
    /// sweep's own files (<c>sweep.json</c>, <c>config.resolved.json</c>, <c>cells.json</c>).
    /// </summary>
    public static SweepPlan Start(BoundRunConfig bound, bool force, SweepPlan? plan = null)
    {
        plan ??= SweepPlan.Create(bound);
        CheckUnchanged(bound, plan, force);
        Directory.CreateDirectory(plan.Directory);
        WriteSweepFiles(bound, plan);
        return plan;
    }

    /// <summary>The runs <c>--only</c> selects.</summary>
    public static IEnumerable<RunSpec> Selected(SweepPlan plan, string? only)
        => plan.Runs.Where(r => only is null || r.Name.Contains(only, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the sweep folder's results and writes the report from them.</summary>
    public static SweepOutcome Finish(string directory, IReadOnlyList<string> heldElsewhere)
    {
        var results = SweepResults.Load(directory);
        return new SweepOutcome(results, ReportWriter.Write(results), heldElsewhere);
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
        changes.RemoveAll(SweepPlan.IsExecutionKey); // where cells run (executor, Slurm resources) may change between submissions
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
        // Every process of a sweep (executor, cells) writes these with the same content: atomically, so none reads a torn one.
        AtomicFile.WriteAllText(Path.Combine(plan.Directory, "sweep.json"), JsonSerializer.Serialize(facts, SweepResults.Json));
        AtomicFile.WriteAllText(Path.Combine(plan.Directory, "config.resolved.json"), plan.Effective.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        SweepCells.Write(plan);
    }
}
