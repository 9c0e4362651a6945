using System.Diagnostics;
using System.Reflection;

namespace Retain.Hosting.Performance;

/// <summary>Runs a command to completion and captures its output.</summary>
public static class ChildProcess
{
    /// <summary>The result of a run.</summary>
    public sealed record Result(int ExitCode, string Out, string Err, bool TimedOut);

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/>; kills it after <paramref name="timeout"/>.</summary>
    public static Result Run(string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return new Result(-1, stdout.Result, stderr.Result, TimedOut: true);
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result, TimedOut: false);
    }

    /// <summary>
    /// How to start this program again: the apphost alone, or <c>dotnet retain.dll</c> when it was started that way.
    /// </summary>
    public static (string File, IReadOnlyList<string> Prefix) Self()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var name = Path.GetFileNameWithoutExtension(processPath);
        if (!name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return (processPath, []);
        var entry = Assembly.GetEntryAssembly()?.Location;
        if (string.IsNullOrEmpty(entry)) throw new InvalidOperationException("The entry assembly of this program is unknown.");
        return (processPath, [entry]);
    }

    /// <summary>The last non-empty line of stderr (a child's error message), or a fallback.</summary>
    public static string LastErrorLine(Result result) =>
        result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
        ?? (result.TimedOut ? "timed out" : $"exit code {result.ExitCode}");
}
