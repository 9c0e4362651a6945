using System.Diagnostics;
using System.Globalization;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;
using Retain.Kernel.Training;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary>Plain progress lines for logs and CI: status changes, run k of n with the time left, a step line every ~10 s or 10% of a run, run results.</summary>
public sealed class LineSweepObserver(TextWriter output, int runs = 1) : ISweepObserver
{
    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
    private readonly Stopwatch _run = new();
    private readonly SweepProgress _progress = new(runs);
    private int _lastDecile = -1;

    /// <inheritdoc />
    public void Status(string scope, string message) => output.WriteLine($"[{scope}] {message}");

    /// <inheritdoc />
    public void RunStarted(RunSpec run, int startStep, int totalSteps)
    {
        _run.Restart();
        _lastDecile = -1;
        _progress.Started();
        output.WriteLine($"[sweep] {_progress.Describe()}: {run.Name}");
        output.WriteLine($"[{run.Name}] training {(startStep > 0 ? $"from step {startStep} " : "")}for {totalSteps} steps");
    }

    /// <inheritdoc />
    public void StepCompleted(RunSpec run, StepResult result, int totalSteps, double tokensPerSecond)
    {
        int decile = result.Step * 10 / Math.Max(1, totalSteps);
        if (_sinceLine.Elapsed.TotalSeconds < 10 && decile == _lastDecile && result.Step != totalSteps) return;
        _lastDecile = decile;
        _sinceLine.Restart();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{run.Name}] step {result.Step}/{totalSteps} loss {result.Loss:0.0000} lr {result.LearningRate:0.##e-00} grad {result.GradNorm:0.###} tok/s {tokensPerSecond:0}"));
    }

    /// <inheritdoc />
    public void RunFinished(RunSpec run, RunResult result, bool skipped)
    {
        _progress.Finished(skipped);
        output.WriteLine(skipped ? $"[{run.Name}] already finished ({result.Status}); skipped" : $"[{run.Name}] {Describe(result)}");
    }

    /// <summary>One line about a result.</summary>
    public static string Describe(RunResult result) => result.Status switch
    {
        "completed" => $"completed: domain {ReportWriter.F(result.Scores.Domain)}, general {ReportWriter.F(result.Scores.General)} (checkpoint of step {result.SelectedStep})",
        _ => $"{result.Status}: {result.Error}",
    };
}

/// <summary>Progress bars for a terminal: the sweep (run k of n, time left) and the current run (step, loss, tokens/s, ETA).</summary>
public sealed class SpectreSweepObserver(ProgressContext context, int runs) : ISweepObserver
{
    private readonly ProgressTask _sweep = context.AddTask("sweep", maxValue: Math.Max(1, runs));
    private readonly SweepProgress _progress = new(runs);
    private ProgressTask? _run;
    private readonly List<string> _finished = [];

    /// <summary>Lines about finished runs, printed after the bars.</summary>
    public IReadOnlyList<string> Finished => _finished;

    /// <inheritdoc />
    public void Status(string scope, string message) => (_run ?? _sweep).Description = Markup.Escape($"{scope}: {message}");

    /// <inheritdoc />
    public void RunStarted(RunSpec run, int startStep, int totalSteps)
    {
        _progress.Started();
        _sweep.Description = Markup.Escape($"sweep: {_progress.Describe()}");
        _run = context.AddTask(Markup.Escape(run.Name), maxValue: Math.Max(1, totalSteps));
        _run.Value = startStep;
    }

    /// <inheritdoc />
    public void StepCompleted(RunSpec run, StepResult result, int totalSteps, double tokensPerSecond)
    {
        if (_run is null) return;
        _run.Value = result.Step;
        _run.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{run.Name} loss {result.Loss:0.000} {tokensPerSecond:0} tok/s"));
    }

    /// <inheritdoc />
    public void RunFinished(RunSpec run, RunResult result, bool skipped)
    {
        _sweep.Increment(1);
        _progress.Finished(skipped);
        _sweep.Description = Markup.Escape($"sweep: {_progress.Done} of {_progress.Total} runs done{_progress.RemainingText}");
        if (_run is not null)
        {
            _run.StopTask();
            _run = null;
        }
        _finished.Add(skipped ? $"{run.Name}: already finished ({result.Status})" : $"{run.Name}: {LineSweepObserver.Describe(result)}");
    }
}
