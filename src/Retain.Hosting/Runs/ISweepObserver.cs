using Retain.Hosting.Reports;
using Retain.Kernel.Training;

namespace Retain.Hosting.Runs;

/// <summary>Receives a sweep's progress, for progress bars and logs.</summary>
public interface ISweepObserver
{
    /// <summary>What the sweep is doing now (loading data, evaluating the initial model, validating, a benchmark, ...).</summary>
    void Status(string scope, string message);

    /// <summary>A run starts (or resumes at <paramref name="startStep"/>).</summary>
    void RunStarted(RunSpec run, int startStep, int totalSteps);

    /// <summary>A step finished.</summary>
    void StepCompleted(RunSpec run, StepResult result, int totalSteps, double tokensPerSecond);

    /// <summary>A run finished (completed, diverged or failed) or was skipped because it had finished before.</summary>
    void RunFinished(RunSpec run, RunResult result, bool skipped);
}
