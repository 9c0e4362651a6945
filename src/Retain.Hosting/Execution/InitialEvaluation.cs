using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>
/// The Init point: the initial model's domain and general scores, evaluated once per sweep as a cell of its own
/// (<c>init/</c>, under its cell lock). Runs need it only to score their benchmarks relative to the initial model, so a
/// run trains without it and waits for it (or evaluates it itself, when nobody else is) only when it gets there.
/// </summary>
public static class InitialEvaluation
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    /// <summary>The Init cell's folder.</summary>
    public static string DirectoryOf(SweepPlan plan) => Path.Combine(plan.Directory, SweepCells.Init);

    /// <summary>Whether the Init point of this plan's configuration is already evaluated.</summary>
    public static bool IsDone(SweepPlan plan)
    {
        var directory = DirectoryOf(plan);
        var key = Path.Combine(directory, "key.txt");
        return File.Exists(Path.Combine(directory, "result.json")) && File.Exists(key) && File.ReadAllText(key) == Key(plan);
    }

    /// <summary>
    /// The Init point's scores: read when evaluated; evaluated here when no other process is at it; otherwise waited
    /// for (a holder that dies releases its lock, and then this process evaluates it).
    /// </summary>
    public static ModelScores Ensure(SweepContext sweep, ISweepObserver observer)
    {
        bool announced = false;
        while (true)
        {
            if (IsDone(sweep.Plan)) return Load(sweep.Plan);
            using (var cellLock = CellLock.TryAcquire(DirectoryOf(sweep.Plan), out var holder))
            {
                if (cellLock is not null)
                {
                    if (!IsDone(sweep.Plan)) Evaluate(sweep, new ProgressRecorder(observer, DirectoryOf(sweep.Plan), CellProgress.DescribeThisProcess(sweep.Bound.Config.Device)));
                    return Load(sweep.Plan);
                }
                if (!announced) observer.Status(SweepCells.Init, $"waiting for the Init evaluation, which {holder} is running");
                announced = true;
            }
            Thread.Sleep(Poll);
        }
    }

    private static ModelScores Load(SweepPlan plan)
        => SweepResults.LoadInit(plan.Directory) ?? throw new InvalidDataException($"{Path.Combine(DirectoryOf(plan), "result.json")} is empty.");

    /// <summary>Evaluates the initial model (domain test and validation, general benchmarks).</summary>
    private static void Evaluate(SweepContext sweep, ISweepObserver observer)
    {
        var directory = DirectoryOf(sweep.Plan);
        Directory.CreateDirectory(directory);
        var model = sweep.Initial.Language;
        observer.Status(SweepCells.Init, "evaluating the initial model on the domain");
        var validation = DomainEvaluation.Evaluate(model, sweep.Evaluator, sweep.Encoder, sweep.Validation, Path.Combine(directory, "domain-validation.jsonl"));
        var test = DomainEvaluation.Evaluate(model, sweep.Evaluator, sweep.Encoder, sweep.Test, Path.Combine(directory, "domain-test.jsonl"));
        var details = new Dictionary<string, double>();
        var benchmarks = sweep.General.Run(model, null, directory, s => observer.Status(SweepCells.Init, s), details: details);
        var scores = sweep.General.Scores(test, validation.Value, benchmarks, benchmarks, details);
        AtomicFile.WriteAllText(Path.Combine(directory, "result.json"), JsonSerializer.Serialize(scores, SweepResults.Json));
        AtomicFile.WriteAllText(Path.Combine(directory, "key.txt"), Key(sweep.Plan));
    }

    /// <summary>What the Init point depends on: the effective configuration minus the training-only and execution parts.</summary>
    private static string Key(SweepPlan plan)
    {
        var effective = (JsonObject)plan.Effective.DeepClone();
        foreach (var name in effective.Select(p => p.Key).Where(k => k.ToLowerInvariant() is "methods" or "learningrates" or "seeds" or "training" or "name" or "output" or "plugins" or "executor" or "slurm").ToList())
        {
            effective.Remove(name);
        }
        return effective.ToJsonString();
    }
}
