using System.CommandLine;
using Retain.Hosting.Configuration;
using Retain.Hosting.Execution;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary><c>retain run CONFIG [--set key=value]... [--force] [--only TEXT] [--executor local|slurm] [--parallel N [--devices LIST]] [--cell ID]</c>.</summary>
public static class RunCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var file = new Argument<FileInfo>("config") { Description = "The run configuration (JSON)." };
        var set = ConfigCommand.SetOption();
        var force = new Option<bool>("--force") { Description = "Continue in an output folder whose configuration changed (runs whose own settings changed start over)." };
        var only = new Option<string?>("--only") { Description = "Run only the runs whose name contains this text." };
        var executor = new Option<string?>("--executor") { Description = "Where cells run: local (this machine; the default) or slurm (one job array, a task per cell). Overrides the configuration's 'executor'." };
        executor.AcceptOnlyFromAmong("local", "slurm");
        var parallel = new Option<int?>("--parallel") { HelpName = "N", Description = "Local executor: run up to N cells at once, each in its own process (CPU: an equal share of the cores each)." };
        var devices = new Option<string?>("--devices") { HelpName = "LIST", Description = "With --parallel on CUDA: the device ordinals the processes are pinned to, e.g. 0,1,2,3 (default 0..N-1)." };
        var cell = new Option<string?>("--cell") { HelpName = "ID", Description = "Run one cell of the sweep in this process: 'init' (the initial model's evaluation) or a run's name (what executors start; useful for debugging)." };
        var plugins = CommonOptions.PluginPaths();
        var command = new Command("run", "Run a sweep: train every method × learning rate × seed, select checkpoints on domain validation, evaluate domain and general scores, write the report. Re-running resumes.")
        {
            file, set, force, only, executor, parallel, devices, cell, plugins,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var configFile = parse.GetValue(file)!.FullName;
            var overrides = parse.GetValue(set) ?? [];
            var bound = BoundRunConfig.Bind(ConfigurationLoader.Load(configFile, overrides));
            bound.CommandLinePlugins = CommonOptions.SearchPaths(parse.GetValue(plugins)).ToList();
            var options = new SweepOptions { Force = parse.GetValue(force), Only = parse.GetValue(only) };
            var kind = parse.GetValue(executor) is { } named ? Enum.Parse<ExecutorKind>(named, ignoreCase: true) : bound.Config.Executor;
            int? processes = parse.GetValue(parallel);
            var deviceList = ParseDevices(parse.GetValue(devices));
            if (processes is < 1) throw new UsageException("--parallel must be at least 1.");
            if (deviceList.Count > 0 && processes is null) throw new UsageException("--devices goes with --parallel N.");
            if (parse.GetValue(cell) is { } id)
            {
                if (processes is not null || parse.GetValue(executor) is not null) throw new UsageException("--cell runs one cell in this process; it takes no --executor or --parallel.");
                return RunCell(console, bound, id);
            }
            var invocation = RetainInvocation.Current(configFile, overrides, parse.GetValue(plugins));
            if (kind == ExecutorKind.Slurm)
            {
                if (processes is not null) throw new UsageException("--parallel is for the local executor; Slurm runs as many cells at once as it schedules (limit it with slurm.maxConcurrent).");
                return Submit(console, SlurmExecutor.Submit(bound, options, invocation));
            }
            var outcome = processes is int n && n > 1
                ? LocalParallelExecutor.Run(bound, options, new ParallelSettings(n, deviceList), invocation, console.Out.WriteLine)
                : Execute(console, bound, options);
            PrintSummary(console, outcome);
            foreach (var held in outcome.HeldElsewhere) console.Error.WriteLine($"not finished here: {held}");
            return outcome.Results.Runs.Any(r => r.Status == "failed") || outcome.HeldElsewhere.Count > 0 ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    private static List<int> ParseDevices(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var devices = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var device))
                throw new UsageException($"--devices: '{part}' is not a device ordinal; give a list such as 0,1,2.");
            devices.Add(device);
        }
        return devices;
    }

    private static int RunCell(CliConsole console, BoundRunConfig bound, string cell)
    {
        var outcome = SweepRunner.RunCell(bound, cell, new LineSweepObserver(console.Out));
        if (outcome.HeldBy is { } holder)
        {
            console.Error.WriteLine($"error: cell {cell} is already being run by {holder}; not started (its lock: {CellLock.PathOf(Path.Combine(SweepPlan.Create(bound).Directory, cell))}).");
            return ExitCodes.Failed;
        }
        return outcome.Result?.Status == "failed" ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static int Submit(CliConsole console, SlurmOutcome outcome)
    {
        foreach (var line in outcome.Skipped) console.Out.WriteLine($"not submitted: {line}");
        if (outcome.Submission is not { } submission)
        {
            console.Out.WriteLine($"Nothing to submit: every cell of {outcome.SweepDirectory} is finished, queued or running.");
            return ExitCodes.Success;
        }
        console.Out.WriteLine($"Submitted job array {submission.Job} ({submission.Cells.Count} tasks: {string.Join(", ", submission.Cells)})" +
            (submission.ReportJob is { } report ? $" and report job {report} (after the array)." : "."));
        console.Out.WriteLine($"Script: {submission.Script}");
        console.Out.WriteLine($"Watch: retain status {outcome.SweepDirectory} --watch    Cancel: retain cancel {outcome.SweepDirectory}");
        return ExitCodes.Success;
    }

    /// <summary>Runs a sweep with progress bars on a terminal and plain lines otherwise.</summary>
    public static SweepOutcome Execute(CliConsole console, BoundRunConfig bound, SweepOptions options)
    {
        int runs = bound.Config.Methods.Count * bound.Config.LearningRates.Count * bound.Config.Seeds.Count;
        if (!console.IsTerminal) return SweepRunner.Run(bound, options, new LineSweepObserver(console.Out, runs));
        SweepOutcome outcome = null!;
        SpectreSweepObserver observer = null!;
        AnsiConsole.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                observer = new SpectreSweepObserver(context, runs);
                outcome = SweepRunner.Run(bound, options, observer);
            });
        foreach (var line in observer.Finished) console.Out.WriteLine(line);
        return outcome;
    }

    /// <summary>The results table (mean ± standard error over seeds), the verdict and the report's path.</summary>
    public static void PrintSummary(CliConsole console, SweepOutcome outcome)
    {
        var rows = ReportTables.Cells(outcome.Results);
        var table = new Table();
        foreach (var header in rows[0]) table.AddColumn(Markup.Escape(header));
        foreach (var row in rows.Skip(1)) table.AddRow(row.Select(Markup.Escape).ToArray());
        var ansi = CommonOptions.Console(console);
        ansi.Write(table);
        foreach (var line in ReportWriter.VerdictOf(outcome.Results).Lines().Concat(ReportWriter.Baselines(outcome.Results))) console.Out.WriteLine("- " + line);
        console.Out.WriteLine($"Report: {outcome.Report.Html} (per-seed values under 'Per-seed values')");
    }
}
