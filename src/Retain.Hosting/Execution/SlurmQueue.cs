namespace Retain.Hosting.Execution;

/// <summary>One array task of a sweep as Slurm sees it.</summary>
/// <param name="Id">The task, <c>arrayjob_index</c>.</param>
/// <param name="Cell">The cell it runs (from the submission's cell list).</param>
/// <param name="State">Slurm's state (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ...).</param>
/// <param name="Detail">Node, pending reason, exit code or time used, as the source gives them.</param>
public sealed record SlurmTask(string Id, string? Cell, string State, string Detail);

/// <summary>A sweep's tasks from Slurm: <c>squeue</c> for queued and running ones; <c>sacct</c> (or, where accounting is off, <c>scontrol show job</c>, which remembers a job for MinJobAge) for ended ones.</summary>
public static class SlurmQueue
{
    /// <summary>Tasks of the sweep's submissions that <c>squeue</c> lists (queued or running); empty without submissions or Slurm.</summary>
    public static IReadOnlyList<SlurmTask> Tasks(string sweepDirectory)
    {
        var submissions = SlurmSubmission.ReadAll(sweepDirectory);
        if (submissions.Count == 0 || SlurmClient.Find("squeue") is null) return [];
        var output = SlurmClient.Run("squeue", ["--me", "-h", "-r", "-o", "%F|%K|%T|%N|%r|%M"]);
        if (!output.Ok) throw new SlurmException($"squeue failed: {output.FirstError}");
        var tasks = new List<SlurmTask>();
        foreach (var line in output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length < 6 || submissions.FirstOrDefault(s => s.Job == f[0]) is not { } submission) continue;
            var detail = f[2] == "PENDING" ? $"({f[4]})" : $"on {f[3]} ({f[5]})";
            tasks.Add(new SlurmTask($"{f[0]}_{f[1]}", CellOf(submission, f[1]), f[2], detail));
        }
        return tasks;
    }

    /// <summary>
    /// Ended tasks of the sweep's submissions, and a note when Slurm cannot tell (accounting disabled and the jobs
    /// already forgotten).
    /// </summary>
    public static (IReadOnlyList<SlurmTask> Tasks, string? Note) Ended(string sweepDirectory)
    {
        var submissions = SlurmSubmission.ReadAll(sweepDirectory);
        if (submissions.Count == 0) return ([], null);
        var ids = string.Join(",", submissions.Select(s => s.Job));
        if (SlurmClient.Find("sacct") is not null)
        {
            var sacct = SlurmClient.Run("sacct", ["-n", "-P", "-X", "-j", ids, "-o", "JobID,State,ExitCode,NodeList,Elapsed"]);
            if (sacct.Ok)
            {
                var tasks = new List<SlurmTask>();
                foreach (var line in sacct.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var f = line.Split('|');
                    var id = f[0].Split('_');
                    if (f.Length < 5 || id.Length != 2 || submissions.FirstOrDefault(s => s.Job == id[0]) is not { } submission) continue;
                    tasks.Add(new SlurmTask(f[0], CellOf(submission, id[1]), f[1].Split(' ')[0], $"exit {f[2]} on {f[3]} after {f[4]}"));
                }
                return (tasks, null);
            }
            return (FromScontrol(submissions), $"sacct: {sacct.FirstError}; ended tasks come from 'scontrol show job', which forgets them after MinJobAge");
        }
        return (FromScontrol(submissions), "sacct is not installed; ended tasks come from 'scontrol show job'");
    }

    private static List<SlurmTask> FromScontrol(IReadOnlyList<SlurmSubmission> submissions)
    {
        var tasks = new List<SlurmTask>();
        if (SlurmClient.Find("scontrol") is null) return tasks;
        foreach (var submission in submissions)
        {
            var output = SlurmClient.Run("scontrol", ["-o", "show", "job", submission.Job]);
            if (!output.Ok) continue; // forgotten already
            foreach (var line in output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
                    .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
                if (!fields.TryGetValue("ArrayTaskId", out var index) || !index.All(char.IsAsciiDigit)) continue;
                var state = fields.GetValueOrDefault("JobState", "?");
                tasks.Add(new SlurmTask($"{submission.Job}_{index}", CellOf(submission, index), state,
                    $"exit {fields.GetValueOrDefault("ExitCode", "?")} on {fields.GetValueOrDefault("NodeList", "?")} ({fields.GetValueOrDefault("Reason", "None")})"));
            }
        }
        return tasks;
    }

    private static string? CellOf(SlurmSubmission submission, string index)
        => int.TryParse(index, out var i) && i >= 0 && i < submission.Cells.Count ? submission.Cells[i] : null;
}
