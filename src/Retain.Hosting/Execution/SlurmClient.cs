using System.Diagnostics;

namespace Retain.Hosting.Execution;

/// <summary>Slurm's command-line tools are missing or refused a request.</summary>
public sealed class SlurmException(string message) : Exception(message);

/// <summary>
/// The Slurm commands the executor uses (<c>sbatch</c>, <c>squeue</c>, <c>sacct</c>, <c>scontrol</c>,
/// <c>scancel</c>), run as processes found on PATH; the cluster's own configuration (<c>SLURM_CONF</c>) applies.
/// </summary>
public static class SlurmClient
{
    /// <summary>The result of one command.</summary>
    public sealed record Output(int ExitCode, string Text, string Error)
    {
        /// <summary>Whether it succeeded.</summary>
        public bool Ok => ExitCode == 0;

        /// <summary>The first line of its error output (or of its output).</summary>
        public string FirstError => (Error.Length > 0 ? Error : Text).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {ExitCode}";
    }

    /// <summary>The full path of a command on PATH, or null.</summary>
    public static string? Find(string command)
    {
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, command);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Runs a Slurm command; a missing command is a <see cref="SlurmException"/>.</summary>
    public static Output Run(string command, IEnumerable<string> arguments, int timeoutSeconds = 60)
    {
        var path = Find(command) ?? throw new SlurmException($"'{command}' was not found on PATH: the Slurm client tools are not installed here (or not on PATH).");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new SlurmException($"'{command} {string.Join(' ', arguments)}' did not answer within {timeoutSeconds} s; is slurmctld reachable?");
        }
        return new Output(process.ExitCode, text.Result.Trim(), error.Result.Trim());
    }

    /// <summary>Submits a batch script; returns the job id.</summary>
    public static string Submit(string script, IEnumerable<string>? options = null)
    {
        var result = Run("sbatch", [.. options ?? [], "--parsable", script]);
        if (!result.Ok) throw new SlurmException($"sbatch refused {script}: {result.FirstError}");
        // --parsable prints "jobid" or "jobid;cluster".
        return result.Text.Split('\n').Last().Split(';')[0].Trim();
    }
}
