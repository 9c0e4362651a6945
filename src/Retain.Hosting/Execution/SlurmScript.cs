using System.Globalization;
using System.Text;
using Retain.Hosting.Configuration;

namespace Retain.Hosting.Execution;

/// <summary>
/// The sbatch scripts of a submission, written into <c>&lt;sweep&gt;/slurm/</c> so a user can read and resubmit them:
/// the cells' job array (task i runs cell i of the list in the script, Init first) and the report job that runs after
/// the array has ended.
/// </summary>
public static class SlurmScript
{
    /// <summary>The array script for <paramref name="cells"/>.</summary>
    public static string Array(string sweepName, string sweepDirectory, IReadOnlyList<string> cells, SlurmSettings slurm, string device, RetainInvocation invocation)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/bin/bash");
        text.AppendLine($"# Written by 'retain run --executor slurm' at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss}Z: one array task per cell of sweep '{sweepName}'.");
        text.AppendLine("# Resubmitting it is safe (finished cells exit at once, a cell another task holds is left to it); 'retain run CONFIG");
        text.AppendLine("# --executor slurm' again submits only the unfinished cells.");
        text.AppendLine($"#SBATCH --job-name={JobName(sweepName)}");
        text.AppendLine($"#SBATCH --array=0-{cells.Count - 1}{(slurm.MaxConcurrent is int max ? "%" + max.ToString(CultureInfo.InvariantCulture) : "")}");
        text.AppendLine($"#SBATCH --output={Path.Combine(LogDirectory(sweepDirectory), "%A_%a.out")}");
        text.AppendLine("#SBATCH --open-mode=append");
        text.AppendLine($"#SBATCH --cpus-per-task={slurm.CpusPerCell.ToString(CultureInfo.InvariantCulture)}");
        if (slurm.GpusPerCell > 0) text.AppendLine($"#SBATCH --gres=gpu:{slurm.GpusPerCell.ToString(CultureInfo.InvariantCulture)}");
        AppendCommon(text, slurm, includeTime: true);
        if (slurm.Memory is { } memory) text.AppendLine($"#SBATCH --mem={memory}");
        foreach (var line in slurm.Sbatch) text.AppendLine(line.TrimStart().StartsWith("#SBATCH", StringComparison.Ordinal) ? line.Trim() : $"#SBATCH {line.Trim()}");
        text.AppendLine("set -euo pipefail");
        if (!device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase))
        {
            text.AppendLine("# A CPU cell uses the cores it was given.");
            text.AppendLine("export DOTNET_PROCESSOR_COUNT=\"${SLURM_CPUS_PER_TASK:-1}\"");
        }
        text.AppendLine("cells=(" + string.Join(" ", cells.Select(Quote)) + ")");
        text.AppendLine("cell=\"${cells[$SLURM_ARRAY_TASK_ID]}\"");
        text.AppendLine("echo \"[slurm] task $SLURM_ARRAY_TASK_ID of job ${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID} runs cell $cell on $(hostname)\"");
        var command = invocation.ForCell("CELL").Select(a => a == "CELL" ? "\"$cell\"" : Quote(a));
        text.AppendLine("exec " + string.Join(" ", command));
        return text.ToString();
    }

    /// <summary>The report job's script: <c>retain report DIR</c> once the array has ended, however its tasks ended.</summary>
    public static string Report(string sweepName, string sweepDirectory, SlurmSettings slurm, RetainInvocation invocation)
    {
        var text = new StringBuilder();
        text.AppendLine("#!/bin/bash");
        text.AppendLine($"# Written by 'retain run --executor slurm': the report of sweep '{sweepName}' from whatever cells are done.");
        text.AppendLine($"#SBATCH --job-name={JobName(sweepName)}-report");
        text.AppendLine($"#SBATCH --output={Path.Combine(LogDirectory(sweepDirectory), "report-%j.out")}");
        text.AppendLine("#SBATCH --cpus-per-task=1");
        text.AppendLine("#SBATCH --time=00:30:00");
        AppendCommon(text, slurm, includeTime: false);
        text.AppendLine("set -euo pipefail");
        text.AppendLine("exec " + string.Join(" ", invocation.ForReport(sweepDirectory).Select(Quote)));
        return text.ToString();
    }

    /// <summary>The folder of the tasks' logs.</summary>
    public static string LogDirectory(string sweepDirectory) => Path.Combine(sweepDirectory, "slurm", "logs");

    /// <summary>The job name of a sweep's tasks.</summary>
    public static string JobName(string sweepName) => "retain-" + sweepName;

    private static void AppendCommon(StringBuilder text, SlurmSettings slurm, bool includeTime)
    {
        if (slurm.Partition is { } partition) text.AppendLine($"#SBATCH --partition={partition}");
        if (slurm.Account is { } account) text.AppendLine($"#SBATCH --account={account}");
        if (slurm.Qos is { } qos) text.AppendLine($"#SBATCH --qos={qos}");
        if (includeTime && slurm.Time is { } time) text.AppendLine($"#SBATCH --time={time}");
    }

    /// <summary>A word for bash: single-quoted, with embedded single quotes escaped.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
