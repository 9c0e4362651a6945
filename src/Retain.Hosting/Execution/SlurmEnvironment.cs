namespace Retain.Hosting.Execution;

/// <summary>What Slurm tells a process it started about its job.</summary>
public static class SlurmEnvironment
{
    /// <summary>The job as <c>arrayjob_task</c> for an array task, the job id otherwise; null outside Slurm.</summary>
    public static string? CurrentJob()
    {
        var array = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID");
        var task = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        if (!string.IsNullOrEmpty(array) && !string.IsNullOrEmpty(task)) return $"{array}_{task}";
        return Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } job ? job : null;
    }
}
