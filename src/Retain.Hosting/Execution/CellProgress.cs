using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;
using Retain.Kernel.Training;

namespace Retain.Hosting.Execution;

/// <summary>Where a running cell stands: <c>progress.json</c> in its folder, rewritten atomically as it goes.</summary>
public sealed record CellProgress
{
    /// <summary>The progress file's name inside a cell folder.</summary>
    public const string FileName = "progress.json";

    /// <summary>Optimizer steps done.</summary>
    [JsonPropertyName("step")] public int Step { get; init; }

    /// <summary>Optimizer steps in all (0 before training starts).</summary>
    [JsonPropertyName("totalSteps")] public int TotalSteps { get; init; }

    /// <summary>What the cell is doing (the last status message).</summary>
    [JsonPropertyName("phase")] public string Phase { get; init; } = "";

    /// <summary>Host, process and device running it.</summary>
    [JsonPropertyName("where")] public string Where { get; init; } = "";

    /// <summary>When this was written (UTC).</summary>
    [JsonPropertyName("updated")] public DateTime Updated { get; init; }

    /// <summary>The progress of a cell folder, or null.</summary>
    public static CellProgress? Read(string cellDirectory)
    {
        var path = Path.Combine(cellDirectory, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<CellProgress>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>"host vm, pid 12, cpu (2 threads)", "host n3, pid 9, Slurm job 45_2, cuda (CUDA_VISIBLE_DEVICES=1)".</summary>
    public static string DescribeThisProcess(string device)
    {
        var visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
        var unit = device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase)
            ? visible is { Length: > 0 } ? $"{device} (CUDA_VISIBLE_DEVICES={visible})" : device
            : $"{device} ({Environment.ProcessorCount} threads)";
        var job = SlurmEnvironment.CurrentJob();
        return $"host {Environment.MachineName}, pid {Environment.ProcessId}{(job is null ? "" : $", Slurm job {job}")}, {unit}";
    }
}

/// <summary>
/// Passes a cell's progress on to another observer and records it in the cell's <c>progress.json</c> (at most about
/// once a second, and at every change of phase) for <c>retain status</c>.
/// </summary>
public sealed class ProgressRecorder(ISweepObserver inner, string cellDirectory, string where) : ISweepObserver
{
    private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
    private CellProgress _progress = new() { Where = where };

    /// <inheritdoc />
    public void Status(string scope, string message)
    {
        inner.Status(scope, message);
        Save(_progress with { Phase = message }, force: true);
    }

    /// <inheritdoc />
    public void RunStarted(RunSpec run, int startStep, int totalSteps)
    {
        inner.RunStarted(run, startStep, totalSteps);
        Save(_progress with { Step = startStep, TotalSteps = totalSteps, Phase = "training" }, force: true);
    }

    /// <inheritdoc />
    public void StepCompleted(RunSpec run, StepResult result, int totalSteps, double tokensPerSecond)
    {
        inner.StepCompleted(run, result, totalSteps, tokensPerSecond);
        Save(_progress with { Step = result.Step, TotalSteps = totalSteps, Phase = "training" }, force: result.Step == totalSteps);
    }

    /// <inheritdoc />
    public void RunFinished(RunSpec run, RunResult result, bool skipped) => inner.RunFinished(run, result, skipped);

    private void Save(CellProgress progress, bool force)
    {
        _progress = progress;
        if (!force && _sinceWrite.Elapsed.TotalSeconds < 1) return;
        _sinceWrite.Restart();
        Directory.CreateDirectory(cellDirectory);
        AtomicFile.WriteAllText(Path.Combine(cellDirectory, CellProgress.FileName), JsonSerializer.Serialize(progress with { Updated = DateTime.UtcNow }));
    }
}
