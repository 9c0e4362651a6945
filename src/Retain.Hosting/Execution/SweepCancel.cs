using System.Diagnostics;

namespace Retain.Hosting.Execution;

/// <summary>
/// Stops a sweep's cells: <c>scancel</c> for the Slurm jobs it submitted (array and report jobs), and, for cells held
/// by processes on this host (local runs), the holder's process tree. Every cell resumes from its last state when
/// the sweep is run again.
/// </summary>
public static class SweepCancel
{
    /// <summary>Cancels; returns one line per action.</summary>
    public static IReadOnlyList<string> Cancel(string directory)
    {
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"sweep directory not found: {directory}");
        var lines = new List<string>();
        var submissions = SlurmSubmission.ReadAll(directory);
        if (submissions.Count > 0)
        {
            var jobs = submissions.SelectMany(s => new[] { s.Job, s.ReportJob }).OfType<string>().ToList();
            var output = SlurmClient.Run("scancel", jobs);
            lines.Add(output.Ok ? $"scancel {string.Join(' ', jobs)}: done" : $"scancel {string.Join(' ', jobs)}: {output.FirstError}");
        }
        // A --parallel parent first (with its children), so it starts no further cells; then every other holder.
        var holders = new[] { ("--parallel executor", LocalParallelExecutor.ExecutorDirectory(directory)) }
            .Concat((SweepCells.Read(directory) ?? []).Select(c => (c.Name, Path.Combine(directory, c.Name))));
        foreach (var (name, folder) in holders)
        {
            var state = CellLock.Read(folder);
            if (state is not { Live: true, Holder: { } holder }) continue;
            if (holder.SlurmJob is not null && submissions.Count > 0) continue; // scancel stops it
            if (holder.Host != Environment.MachineName)
            {
                lines.Add($"{name}: held by {holder}, on another host; stop it there");
                continue;
            }
            try
            {
                using var process = Process.GetProcessById(holder.Pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
                lines.Add($"{name}: stopped pid {holder.Pid}");
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                lines.Add($"{name}: could not stop pid {holder.Pid}: {e.Message}");
            }
        }
        if (lines.Count == 0) lines.Add("nothing to cancel: no Slurm submission and no cell running on this host");
        return lines;
    }
}
