using Retain.Cli;

namespace Retain.Cuda.Tests.Cli;

/// <summary>Runs the <c>retain</c> command tree in process.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = RetainCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
