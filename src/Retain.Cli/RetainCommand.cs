using System.CommandLine;
using Retain.Cli.Commands;
using Retain.Hosting.Lifetime;

namespace Retain.Cli;

/// <summary>The `retain` command tree. Each verb lives in Commands/ and adds itself here.</summary>
public static class RetainCommand
{
    /// <summary>Parses and runs; returns the process exit code (<see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var console = new CliConsole(output ?? Console.Out, error ?? Console.Error);
        Retain.Hosting.RetainHost.PluginWarnings = console.Error;
        var root = new RootCommand("Retain: domain-specific fine-tuning of LLMs that keeps their general capabilities.");
        root.Subcommands.Add(PluginsCommand.Create(console));
        root.Subcommands.Add(ConfigCommand.Create(console));
        root.Subcommands.Add(QuickstartCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(ReportCommand.Create(console));
        root.Subcommands.Add(ExportCommand.Create(console));
        root.Subcommands.Add(TokenizeCommand.Create(console));
        root.Subcommands.Add(DataCommand.Create(console));
        root.Subcommands.Add(GenerateCommand.Create(console));
        root.Subcommands.Add(ScoreCommand.Create(console));
        root.Subcommands.Add(EvalCommand.Create(console));
        root.Subcommands.Add(AnalyzeCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(DoctorCommand.Create(console));
        root.Subcommands.Add(DebugCommand.Create(console));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors) console.Error.WriteLine($"error: {problem.Message}");
            console.Error.WriteLine("Run 'retain --help' (or 'retain <verb> --help') for usage.");
            return ExitCodes.Usage;
        }
        using var work = UnfinishedWork.Begin($"running 'retain {string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')).Take(2))}'");
        return parse.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
    }
}
