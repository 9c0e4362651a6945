using System.CommandLine;
using Retain.Hosting.Runs;

namespace Retain.Cli.Commands;

/// <summary><c>retain export DIR --run R --alpha A [--out DIR]</c>: a Wise-FT checkpoint of a finished run in Hugging Face layout.</summary>
public static class ExportCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "A sweep directory (<output>/<name>) written by 'retain run'." };
        var run = new Option<string>("--run") { Description = "The run's folder name, e.g. standard_lr1e-03_s1.", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Wise-FT α: the checkpoint (1−α)·θ0 + α·θ_ft (0 = the initial model, 1 = the run's selected checkpoint).", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder to write alpha=<α>/ into (default: <dir>/<run>/merged)." };
        var command = new Command("export", "Write a Wise-FT interpolation of a run's selected checkpoint and the initial model, in Hugging Face layout.") { directory, run, alpha, output };
        command.SetAction(parse => console.Guard(() =>
        {
            string written;
            try
            {
                written = WiseFtExport.Write(parse.GetValue(directory)!.FullName, parse.GetValue(run)!, parse.GetValue(alpha), parse.GetValue(output) is { } o ? Path.GetFullPath(o) : null);
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            console.Out.WriteLine($"Wrote {written}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
