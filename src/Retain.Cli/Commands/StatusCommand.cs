using System.CommandLine;
using Retain.Hosting.Execution;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary><c>retain status DIR [--watch] [--interval S] [--json]</c>: every cell of a sweep and where it stands.</summary>
public static class StatusCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "A sweep directory (<output>/<name>) written by 'retain run'." };
        var watch = new Option<bool>("--watch") { Description = "Refresh until no cell is running and Slurm has nothing of the sweep queued." };
        var interval = new Option<double>("--interval") { Description = "Seconds between refreshes with --watch.", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON." };
        var command = new Command("status", "Show every cell of a sweep: pending, running (step/total and where), interrupted, completed, diverged or failed (with the reason), and the Slurm tasks' state when it was submitted to Slurm.")
        {
            directory, watch, interval, json,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var dir = parse.GetValue(directory)!;
            if (!dir.Exists) throw new UsageException($"sweep directory not found: {dir.FullName}");
            if (parse.GetValue(interval) is var seconds && (seconds <= 0 || !double.IsFinite(seconds))) throw new UsageException("--interval must be a positive number of seconds.");
            while (true)
            {
                var status = SweepStatus.Read(dir.FullName);
                if (parse.GetValue(json)) console.Out.WriteLine(status.ToJson());
                else Print(console, status, clear: parse.GetValue(watch) && console.IsTerminal);
                if (!parse.GetValue(watch) || !status.Active) return ExitCodes.Success;
                Thread.Sleep(TimeSpan.FromSeconds(seconds));
            }
        }));
        return command;
    }

    private static void Print(CliConsole console, SweepStatus status, bool clear)
    {
        var ansi = CommonOptions.Console(console);
        if (clear) ansi.Clear();
        bool slurm = status.Cells.Any(c => c.Slurm.Length > 0);
        var table = new Table();
        foreach (var header in new[] { "cell", "state", "steps", "detail", "where" }.Concat(slurm ? ["slurm"] : [])) table.AddColumn(header);
        foreach (var cell in status.Cells)
        {
            string[] row = [cell.Cell, cell.State, cell.Progress, cell.Detail, cell.Where, .. slurm ? new[] { cell.Slurm } : []];
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }
        console.Out.WriteLine($"{status.Directory} at {DateTime.UtcNow:HH:mm:ss}Z: " + string.Join(", ", status.Cells.GroupBy(c => c.State).Select(g => $"{g.Count()} {g.Key}")));
        ansi.Write(table);
        foreach (var note in status.Notes) console.Out.WriteLine($"note: {note}");
    }
}
