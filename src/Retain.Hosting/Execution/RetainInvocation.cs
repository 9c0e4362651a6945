using System.Diagnostics;
using System.Reflection;

namespace Retain.Hosting.Execution;

/// <summary>
/// How to start this same <c>retain</c> again for one cell — <c>retain run CONFIG --cell ID [--set ...]</c> — from a
/// <c>--parallel</c> parent or a Slurm task: the running executable (the apphost, or <c>dotnet</c> with the entry
/// assembly), the configuration file, the <c>--set</c> overrides and the <c>--plugins</c> folders of the command that
/// planned the sweep (a cell must load the same plugins as its parent, or a method from a <c>--plugins</c> folder would
/// be unknown to it).
/// </summary>
/// <param name="Command">The executable and the arguments before the verb.</param>
/// <param name="ConfigFile">The configuration file (absolute).</param>
/// <param name="Overrides">The <c>--set key=value</c> overrides.</param>
/// <param name="PluginFolders">The <c>--plugins</c> folders (absolute), in the order given.</param>
public sealed record RetainInvocation(IReadOnlyList<string> Command, string ConfigFile, IReadOnlyList<string> Overrides, IReadOnlyList<string>? PluginFolders = null)
{
    /// <summary>The invocation of the running process.</summary>
    public static RetainInvocation Current(string configFile, IReadOnlyList<string> overrides, IEnumerable<string>? pluginFolders = null)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running retain executable is unknown.");
        IReadOnlyList<string> command = Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [process, Assembly.GetEntryAssembly()!.Location]
            : [process];
        return new RetainInvocation(command, Path.GetFullPath(configFile), overrides, [.. (pluginFolders ?? []).Select(Path.GetFullPath)]);
    }

    /// <summary>The full argument list that runs <paramref name="cell"/>.</summary>
    public IReadOnlyList<string> ForCell(string cell)
        => [.. Command, "run", ConfigFile, "--cell", cell, .. Overrides.SelectMany(o => new[] { "--set", o }), .. (PluginFolders ?? []).SelectMany(p => new[] { "--plugins", p })];

    /// <summary>The full argument list of <c>retain report DIR</c>.</summary>
    public IReadOnlyList<string> ForReport(string sweepDirectory) => [.. Command, "report", sweepDirectory];

    /// <summary>A process start for <paramref name="arguments"/> with redirected output.</summary>
    public static ProcessStartInfo Start(IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(arguments[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments.Skip(1)) start.ArgumentList.Add(argument);
        return start;
    }
}
