using System.CommandLine;
using Retain.Hosting.Execution;

namespace Retain.Cli.Commands;

/// <summary><c>retain cancel DIR</c>: cancels a sweep's Slurm jobs and stops its cells running on this host.</summary>
public static class CancelCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "A sweep directory (<output>/<name>) written by 'retain run'." };
        var command = new Command("cancel", "Cancel a sweep: scancel its Slurm jobs, stop its cells running on this host. Running the sweep again resumes every cell from its last state.") { directory };
        command.SetAction(parse => console.Guard(() =>
        {
            var dir = parse.GetValue(directory)!;
            if (!dir.Exists) throw new UsageException($"sweep directory not found: {dir.FullName}");
            foreach (var line in SweepCancel.Cancel(dir.FullName)) console.Out.WriteLine(line);
            return ExitCodes.Success;
        }));
        return command;
    }
}
