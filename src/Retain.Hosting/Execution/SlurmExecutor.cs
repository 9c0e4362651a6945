using System.Text.Json;
using System.Text.Json.Serialization;
using Retain.Hosting.Configuration;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>One submission of a sweep's cells (a line of <c>slurm/jobs.jsonl</c>).</summary>
public sealed record SlurmSubmission
{
    /// <summary>The array job's id; task i runs <see cref="Cells"/>[i].</summary>
    [JsonPropertyName("job")] public string Job { get; init; } = "";

    /// <summary>The report job's id (runs after the array ends).</summary>
    [JsonPropertyName("reportJob")] public string? ReportJob { get; init; }

    /// <summary>The cells, in array-task order.</summary>
    [JsonPropertyName("cells")] public List<string> Cells { get; init; } = [];

    /// <summary>The array script.</summary>
    [JsonPropertyName("script")] public string Script { get; init; } = "";

    /// <summary>When it was submitted (UTC).</summary>
    [JsonPropertyName("submitted")] public DateTime Submitted { get; init; }

    /// <summary>The file listing a sweep's submissions.</summary>
    public static string FileOf(string sweepDirectory) => Path.Combine(sweepDirectory, "slurm", "jobs.jsonl");

    /// <summary>Every submission of a sweep, oldest first.</summary>
    public static IReadOnlyList<SlurmSubmission> ReadAll(string sweepDirectory)
    {
        var path = FileOf(sweepDirectory);
        if (!File.Exists(path)) return [];
        var submissions = new List<SlurmSubmission>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                submissions.Add(JsonSerializer.Deserialize<SlurmSubmission>(text)!);
            }
            catch (JsonException)
            {
                throw new InvalidDataException($"{path}:{line}: malformed submission record.");
            }
        }
        return submissions;
    }
}

/// <summary>What a Slurm submission did.</summary>
/// <param name="Submission">The submission, or null when every cell was finished or running already.</param>
/// <param name="Skipped">Cells not submitted and why ("cell: finished", "cell: running in ...").</param>
/// <param name="SweepDirectory">The sweep folder.</param>
public sealed record SlurmOutcome(SlurmSubmission? Submission, IReadOnlyList<string> Skipped, string SweepDirectory);

/// <summary>
/// The Slurm executor: submits one job array whose tasks each run one unfinished cell (<c>retain run CONFIG --cell
/// ID</c>, the Init evaluation first, the others not waiting for it until they score benchmarks), with the resources of
/// the configuration's <c>slurm</c> section, plus a report job that runs after the array. The scripts are written to
/// <c>&lt;sweep&gt;/slurm/</c> and the job ids appended to <c>slurm/jobs.jsonl</c> (for <c>retain status</c> and
/// <c>retain cancel</c>). Submitting again sends only what is unfinished and not queued or running.
/// </summary>
public static class SlurmExecutor
{
    /// <summary>Refuses clearly when the Slurm client tools are not here.</summary>
    public static void RequireSbatch(string configFile)
    {
        if (SlurmClient.Find("sbatch") is null)
        {
            throw new ConfigurationException([new ConfigurationError(configFile, "executor",
                "'slurm' needs Slurm's sbatch on PATH, and it is not there; run on a cluster's login node, or use --executor local.")]);
        }
    }

    /// <summary>Submits the sweep's unfinished cells.</summary>
    public static SlurmOutcome Submit(BoundRunConfig bound, SweepOptions options, RetainInvocation invocation)
    {
        RequireSbatch(bound.Configuration.FilePath);
        var plan = SweepRunner.Start(bound, options.Force);
        var skipped = new List<string>();
        var active = ActiveCells(plan.Directory);
        var cells = new List<string>();
        if (InitialEvaluation.IsDone(plan)) skipped.Add($"{SweepCells.Init}: finished");
        else Consider(SweepCells.Init, InitialEvaluation.DirectoryOf(plan));
        foreach (var spec in SweepRunner.Selected(plan, options.Only))
        {
            var directory = Path.Combine(plan.Directory, spec.Name);
            if (CellRunner.Finished(directory, spec) is { } done) skipped.Add($"{spec.Name}: {done.Status}");
            else Consider(spec.Name, directory);
        }
        if (cells.Count == 0) return new SlurmOutcome(null, skipped, plan.Directory);

        var folder = Path.Combine(plan.Directory, "slurm");
        Directory.CreateDirectory(SlurmScript.LogDirectory(plan.Directory));
        var name = bound.Config.Name!;
        var script = Path.Combine(folder, "sweep.sbatch");
        AtomicFile.WriteAllText(script, SlurmScript.Array(name, plan.Directory, cells, bound.Config.Slurm, bound.Config.Device, invocation));
        var reportScript = Path.Combine(folder, "report.sbatch");
        AtomicFile.WriteAllText(reportScript, SlurmScript.Report(name, plan.Directory, bound.Config.Slurm, invocation));

        var job = SlurmClient.Submit(script);
        string? reportJob = null;
        try
        {
            reportJob = SlurmClient.Submit(reportScript, [$"--dependency=afterany:{job}"]);
        }
        catch (SlurmException e)
        {
            skipped.Add($"report job: not submitted ({e.Message}); run 'retain report {plan.Directory}' when the cells are done");
        }
        var submission = new SlurmSubmission { Job = job, ReportJob = reportJob, Cells = cells, Script = script, Submitted = DateTime.UtcNow };
        File.AppendAllText(SlurmSubmission.FileOf(plan.Directory), JsonSerializer.Serialize(submission) + "\n");
        return new SlurmOutcome(submission, skipped, plan.Directory);

        void Consider(string cell, string directory)
        {
            if (CellLock.Read(directory) is { Live: true } state) skipped.Add($"{cell}: running ({state.Holder?.ToString() ?? "lock held"})");
            else if (active.TryGetValue(cell, out var task)) skipped.Add($"{cell}: {task}");
            else cells.Add(cell);
        }
    }

    /// <summary>Cells of earlier submissions whose tasks Slurm still has queued or running ("cell" → "PENDING as job 12_3").</summary>
    public static Dictionary<string, string> ActiveCells(string sweepDirectory)
    {
        var active = new Dictionary<string, string>();
        foreach (var task in SlurmQueue.Tasks(sweepDirectory).Where(t => t.State is "PENDING" or "RUNNING" or "CONFIGURING" or "REQUEUED" or "SUSPENDED" or "COMPLETING"))
        {
            if (task.Cell is { } cell) active[cell] = $"{task.State} as job {task.Id}";
        }
        return active;
    }
}
