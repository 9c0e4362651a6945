using System.CommandLine;
using Retain.Hosting.Reports;

namespace Retain.Cli.Commands;

/// <summary><c>retain report DIR</c>: writes report.md, report.html and figures/ for a sweep directory.</summary>
public static class ReportCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "A sweep directory (<output>/<name>) written by 'retain run'." };
        var perSeed = new Option<bool>("--per-seed") { Description = "Also print the per-seed values (domain with its binomial standard error, general, selected step, selection, top answer)." };
        var command = new Command("report", "Write report.md and a self-contained report.html (verdict, baselines, tables with standard errors, trade-off scatters with Pareto front and Init point, training curves, TALR statistics) for a sweep, and print its verdict.") { directory, perSeed };
        command.SetAction(parse => console.Guard(() =>
        {
            var dir = parse.GetValue(directory)!;
            if (!dir.Exists) throw new UsageException($"sweep directory not found: {dir.FullName}");
            var results = SweepResults.Load(dir.FullName);
            if (results.Runs.Count == 0 && results.Init is null) throw new InvalidDataException($"{dir.FullName} holds no run results (no */result.json); is it a sweep directory written by 'retain run'?");
            var output = ReportWriter.Write(results);
            console.Out.Write(ReportWriter.ToMarkdown(ReportTables.Cells(results)));
            foreach (var line in ReportWriter.VerdictOf(results).Lines()) console.Out.WriteLine("- " + line);
            if (parse.GetValue(perSeed)) console.Out.Write(ReportWriter.ToMarkdown(ReportTables.PerSeed(results)));
            console.Out.WriteLine($"Wrote {output.Markdown}");
            console.Out.WriteLine($"Wrote {output.Html}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
