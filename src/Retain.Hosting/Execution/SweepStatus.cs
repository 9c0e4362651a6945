using System.Text.Json;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>Where one cell stands.</summary>
/// <param name="Cell">The cell (<c>init</c> or a run).</param>
/// <param name="State">pending, running, interrupted, completed, diverged or failed.</param>
/// <param name="Progress">step/total when known.</param>
/// <param name="Detail">The phase of a running cell, the reason of a failed or diverged one, the scores of a completed one.</param>
/// <param name="Where">Host, process, Slurm job and device of a running cell.</param>
/// <param name="Slurm">The Slurm task's state, when the sweep was submitted to Slurm.</param>
public sealed record CellStatus(string Cell, string State, string Progress, string Detail, string Where, string Slurm);

/// <summary>The state of every cell of a sweep, read from its folder (and from Slurm when it was submitted there).</summary>
/// <param name="Directory">The sweep folder.</param>
/// <param name="Cells">Init first, then the runs.</param>
/// <param name="Notes">What could not be read (e.g. sacct unavailable).</param>
public sealed record SweepStatus(string Directory, IReadOnlyList<CellStatus> Cells, IReadOnlyList<string> Notes)
{
    /// <summary>States a cell does not leave without being run again.</summary>
    public static bool IsFinal(string state) => state is "completed" or "diverged" or "failed";

    /// <summary>Whether some cell is running or Slurm still has a task of the sweep queued or running.</summary>
    public bool Active => Cells.Any(c => c.State == "running" || c.Slurm.StartsWith("PENDING", StringComparison.Ordinal) || c.Slurm.StartsWith("RUNNING", StringComparison.Ordinal));

    /// <summary>Reads a sweep folder.</summary>
    public static SweepStatus Read(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"sweep directory not found: {directory}");
        var notes = new List<string>();
        var cells = SweepCells.Read(directory);
        if (cells is null)
        {
            notes.Add($"{Path.Combine(directory, SweepCells.FileName)} is missing (a sweep written by an older retain, or not a sweep folder): only cells that started are listed.");
            cells = [new CellEntry { Name = SweepCells.Init }, .. System.IO.Directory.GetDirectories(directory).Select(Path.GetFileName)
                .Where(n => File.Exists(Path.Combine(directory, n!, "run.json"))).Order(StringComparer.Ordinal)
                .Select(n => new CellEntry { Name = n!, Hash = CellRunner.RunHash(Path.Combine(directory, n!)) ?? "" })];
        }

        var slurm = new Dictionary<string, SlurmTask>();
        if (SlurmSubmission.ReadAll(directory).Count > 0)
        {
            try
            {
                var (ended, note) = SlurmQueue.Ended(directory);
                if (note is not null) notes.Add(note);
                foreach (var task in ended.Concat(SlurmQueue.Tasks(directory))) if (task.Cell is { } cell) slurm[cell] = task; // later submissions and the live queue win
            }
            catch (SlurmException e)
            {
                notes.Add($"Slurm's view is unavailable: {e.Message}");
            }
        }

        var rows = cells.Select(c => Cell(directory, c, slurm.GetValueOrDefault(c.Name))).ToList();
        return new SweepStatus(directory, rows, notes);
    }

    private static CellStatus Cell(string sweep, CellEntry entry, SlurmTask? task)
    {
        var directory = Path.Combine(sweep, entry.Name);
        var slurm = task is null ? "" : $"{task.State} {task.Id} {task.Detail}".Trim();
        var progress = CellProgress.Read(directory);
        var steps = progress is { TotalSteps: > 0 } p ? $"{p.Step}/{p.TotalSteps}" : "";
        var cellLock = CellLock.Read(directory);
        if (cellLock is { Live: true })
        {
            return new CellStatus(entry.Name, "running", steps, progress?.Phase ?? "", progress?.Where ?? cellLock.Holder?.ToString() ?? "", slurm);
        }

        // A task that ended without leaving a result: its log says why.
        var log = task is { State: not ("PENDING" or "RUNNING" or "COMPLETED") } ? $"; Slurm: {task.State}, log {Path.Combine(SlurmScript.LogDirectory(sweep), task.Id + ".out")}" : "";
        if (entry.Name == SweepCells.Init)
        {
            var init = SweepResults.LoadInit(sweep);
            return init is null
                ? new CellStatus(entry.Name, "pending", "", log.TrimStart(';', ' '), "", slurm)
                : new CellStatus(entry.Name, "completed", "", $"domain {ReportWriter.F(init.Domain)}, general {ReportWriter.F(init.General)}", "", slurm);
        }
        if (CellRunner.ReadResult(directory, entry.Hash) is { } result)
        {
            var detail = result.Status == "completed"
                ? $"domain {ReportWriter.F(result.Scores.Domain)}, general {ReportWriter.F(result.Scores.General)} (checkpoint of step {result.SelectedStep})"
                : result.Error ?? "";
            return new CellStatus(entry.Name, result.Status, result.Steps > 0 ? $"{result.Steps}/{progress?.TotalSteps ?? result.Steps}" : steps, detail, "", slurm);
        }
        var state = RunState.Read(Path.Combine(AtomicDirectory.Existing(Path.Combine(directory, "last")) ?? Path.Combine(directory, "last"), "state.json"));
        if (state is not null && state.Hash == entry.Hash || progress is not null)
        {
            var at = state is null ? steps : $"{state.Step}/{progress?.TotalSteps.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}";
            var resumes = state is null ? "no checkpoint yet" : $"resumes from step {state.Step}";
            return new CellStatus(entry.Name, task?.State is "PENDING" or "RUNNING" ? "pending" : "interrupted", at, $"stopped; {resumes}{log}", "", slurm);
        }
        return new CellStatus(entry.Name, "pending", "", log.TrimStart(';', ' '), "", slurm);
    }

    /// <summary>The status as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
