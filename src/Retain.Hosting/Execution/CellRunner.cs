using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>What became of one cell in this process.</summary>
/// <param name="Result">The run's result (finished before, or now), or null for the Init cell or a cell left to another process.</param>
/// <param name="HeldBy">The other process running the cell, when this one left it alone.</param>
public sealed record CellOutcome(RunResult? Result, LockHolder? HeldBy);

/// <summary>
/// Runs one training cell of a sweep in this process under its cell lock: skipped when finished, left alone when
/// another live process holds it, otherwise trained (resuming its last state) and evaluated. A cell that throws is
/// recorded as <c>failed</c> with the reason, and the next <c>retain run</c> retries it.
/// </summary>
public static class CellRunner
{
    /// <summary>Runs <paramref name="spec"/>.</summary>
    public static CellOutcome Run(SweepContext sweep, RunSpec spec, ISweepObserver observer)
    {
        var directory = Path.Combine(sweep.Plan.Directory, spec.Name);
        if (Finished(directory, spec) is { } done)
        {
            observer.RunFinished(spec, done, skipped: true);
            return new CellOutcome(done, null);
        }
        using var cellLock = CellLock.TryAcquire(directory, out var holder);
        if (cellLock is null)
        {
            observer.Status(spec.Name, $"is being run by {holder}; left to it");
            return new CellOutcome(null, holder);
        }
        if (Finished(directory, spec) is { } doneMeanwhile)
        {
            observer.RunFinished(spec, doneMeanwhile, skipped: true);
            return new CellOutcome(doneMeanwhile, null);
        }
        if (RunHash(directory) is { } hash && hash != spec.Hash) ClearExceptLock(directory); // forced: its settings changed, so it starts over

        var leftovers = LeftoverTemporaries.Clean(directory);
        if (leftovers.Count > 0) observer.Status(spec.Name, $"removed what an interrupted write left: {string.Join(", ", leftovers)}");

        var recorder = new ProgressRecorder(observer, directory, CellProgress.DescribeThisProcess(sweep.Bound.Config.Device));
        RunResult result;
        try
        {
            using var training = Lifetime.UnfinishedWork.Begin($"training and evaluating the run {spec.Name}");
            result = new RunTrainer(sweep, spec, recorder).Execute();
        }
        catch (Exception e) when (e is not OutOfMemoryException and not Configuration.ConfigurationException)
        {
            // One failing run does not stop the sweep; it is retried by the next 'retain run'.
            result = Failed(spec, e.Message);
            WriteResult(directory, result);
        }
        observer.RunFinished(spec, result, skipped: false);
        return new CellOutcome(result, null);
    }

    /// <summary>The result of a run that failed with <paramref name="reason"/>.</summary>
    public static RunResult Failed(RunSpec spec, string reason)
        => new() { Run = spec.Name, Method = spec.Method.Label, LearningRate = spec.LearningRate, Seed = spec.Seed, Status = "failed", Error = reason };

    /// <summary>Records a run that could not start as failed with <paramref name="reason"/>, unless another process holds it.</summary>
    public static void RecordFailure(string sweepDirectory, RunSpec spec, string reason)
    {
        var directory = Path.Combine(sweepDirectory, spec.Name);
        using var cellLock = CellLock.TryAcquire(directory, out _);
        if (cellLock is null || Finished(directory, spec) is not null) return;
        if (RunHash(directory) != spec.Hash)
        {
            AtomicFile.WriteAllText(Path.Combine(directory, "run.json"), JsonSerializer.Serialize(new { name = spec.Name, hash = spec.Hash }));
        }
        WriteResult(directory, Failed(spec, reason));
    }

    /// <summary>Writes a run's <c>result.json</c> atomically.</summary>
    public static void WriteResult(string runDirectory, RunResult result)
    {
        Directory.CreateDirectory(runDirectory);
        AtomicFile.WriteAllText(RunTrainer.ResultPath(runDirectory), JsonSerializer.Serialize(result, SweepResults.Json));
    }

    /// <summary>The run's finished result, or null when it has to run (absent, failed, or of other settings).</summary>
    public static RunResult? Finished(string directory, RunSpec spec)
    {
        var result = ReadResult(directory, spec.Hash);
        return result is { Status: "completed" or "diverged" } ? result : null;
    }

    /// <summary>The run folder's result when it belongs to the settings <paramref name="hash"/>, or null.</summary>
    public static RunResult? ReadResult(string directory, string hash)
    {
        var path = RunTrainer.ResultPath(directory);
        if (!File.Exists(path) || RunHash(directory) != hash) return null;
        try
        {
            return JsonSerializer.Deserialize<RunResult>(File.ReadAllText(path), SweepResults.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The settings hash recorded in a run folder's <c>run.json</c>.</summary>
    public static string? RunHash(string directory)
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

    private static void ClearExceptLock(string directory)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.Name == CellLock.FileName) continue;
            if (entry is DirectoryInfo folder) folder.Delete(recursive: true);
            else entry.Delete();
        }
    }
}
