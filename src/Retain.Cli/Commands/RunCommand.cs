using System.CommandLine;
using Retain.Hosting.Configuration;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary><c>retain run CONFIG [--set key=value]... [--force] [--only TEXT]</c>.</summary>
public static class RunCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var file = new Argument<FileInfo>("config") { Description = "The run configuration (JSON)." };
        var set = ConfigCommand.SetOption();
        var force = new Option<bool>("--force") { Description = "Continue in an output folder whose configuration changed (runs whose own settings changed start over)." };
        var only = new Option<string?>("--only") { Description = "Run only the runs whose name contains this text." };
        var plugins = CommonOptions.PluginPaths();
        var command = new Command("run", "Run a sweep: train every method × learning rate × seed, select checkpoints on domain validation, evaluate domain and general scores, write the report. Re-running resumes.") { file, set, force, only, plugins };
        command.SetAction(parse => console.Guard(() =>
        {
            var bound = BoundRunConfig.Bind(ConfigurationLoader.Load(parse.GetValue(file)!.FullName, parse.GetValue(set)));
            bound.CommandLinePlugins = CommonOptions.SearchPaths(parse.GetValue(plugins)).ToList();
            var outcome = Execute(console, bound, new SweepOptions { Force = parse.GetValue(force), Only = parse.GetValue(only) });
            PrintSummary(console, outcome);
            return outcome.Results.Runs.Any(r => r.Status == "failed") ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
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
