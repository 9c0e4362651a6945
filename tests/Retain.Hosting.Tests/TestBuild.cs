using System.Diagnostics;
using System.Reflection;
using Retain.Testing;

namespace Retain.Hosting.Tests;

/// <summary>Where the build put what the tests need, and helpers to run the CLI and dotnet.</summary>
internal static class TestBuild
{
    private static string Metadata(string key)
        => typeof(TestBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The build configuration the tests were built with.</summary>
    public static string Configuration => Metadata("Configuration");

    /// <summary>Fixture plugins (GreeterOne, GreeterTwo, ThrowingPlugin), one folder each.</summary>
    public static string FixturePlugins => Metadata("FixturePluginsDir");

    /// <summary>Fixture plugins that hang or crash the host (HangingPlugin, ThreadCrashPlugin), one folder each.</summary>
    public static string HostilePlugins => Metadata("HostilePluginsDir");

    /// <summary>The CLI's output folder (its plugins/ subfolder holds the in-repo plugins).</summary>
    public static string CliDirectory => TestPaths.RepoFile("src", "Retain.Cli", "bin", Configuration, "net10.0");

    /// <summary>The in-repo plugins as the CLI sees them.</summary>
    public static string RepoPlugins => Path.Combine(CliDirectory, "plugins");

    /// <summary>Copies one fixture plugin folder into <paramref name="destination"/>/<paramref name="name"/>.</summary>
    public static string CopyPlugin(string fixture, string destination, string? name = null)
    {
        var source = Path.Combine(FixturePlugins, fixture);
        var target = Path.Combine(destination, name ?? fixture);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        return target;
    }

    /// <summary>Runs the built CLI; returns exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Out, string Err) Cli(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
        => Run("dotnet", [Path.Combine(CliDirectory, "retain.dll"), .. args], environment, workingDirectory);

    /// <summary>An empty user data folder for the test run, so no user plugin folder leaks into a test.</summary>
    public static string IsolatedUserData { get; } = Directory.CreateTempSubdirectory("retain-test-userdata-").FullName;

    /// <summary>In-process hosts in the tests must not see the developer's user plugin folder either.</summary>
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void IsolateUserPluginFolder() => Environment.SetEnvironmentVariable("XDG_DATA_HOME", IsolatedUserData);

    /// <summary>Runs a process to completion.</summary>
    public static (int ExitCode, string Out, string Err) Run(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, int timeoutSeconds = 300)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        start.Environment["NO_COLOR"] = "1";
        // Never the developer's own user plugin folder (nor writing into it when a test builds a plugin).
        start.Environment["XDG_DATA_HOME"] = IsolatedUserData;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds}s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
