using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Runs;

/// <summary>
/// A process that ends before its work does never looks finished: a plugin calling <c>Environment.Exit(0)</c>
/// (the hostile fixture <c>tests/fixtures/Broken/ExitingPlugin</c>), and SIGINT. Through the built CLI.
/// </summary>
public partial class EarlyEndTests
{
    [Fact]
    public void A_plugin_that_calls_Environment_Exit_0_while_registering_makes_every_verb_fail_and_say_so()
    {
        using var temp = new TempFolder();
        var plugin = TestBuild.CopyPlugin("ExitingPlugin", Path.Combine(temp.Path, "plugins"));
        var armed = new Dictionary<string, string> { ["EXITING_PLUGIN_WHEN"] = "register" };
        string expected = $"error: the process was ended (exit code 0) while registering the plugin 'ExitingPlugin' ({Path.Combine(plugin, "ExitingPlugin.dll")}), before that work finished: " +
                          "something in the process called Environment.Exit (a plugin?). Nothing of the unfinished work counts as done.";

        var plugins = TestBuild.Cli(["plugins", "--plugins", Path.Combine(temp.Path, "plugins")], armed);
        plugins.ExitCode.ShouldBe(1, plugins.Err + plugins.Out);
        plugins.Err.Trim().ShouldBe(expected);

        var validate = TestBuild.Cli(["config", "validate", TinySweep.Config(temp, "[\"standard\"]", plugins: Path.Combine(temp.Path, "plugins"))], armed);
        validate.ExitCode.ShouldBe(1, validate.Err + validate.Out);
        validate.Err.Trim().ShouldBe(expected);
        validate.Out.ShouldNotContain("valid");
    }

    [Fact]
    public void A_plugin_that_calls_Environment_Exit_0_in_training_fails_the_run_and_the_next_run_says_what_happened()
    {
        using var temp = new TempFolder();
        var config = TinySweep.Config(temp, """[ { "name": "exiting", "strategies": ["exit-in-training"] } ]""", plugins: TestBuild.FixturePlugins);
        var sweep = Path.Combine(temp.Path, "out", "tiny");

        var first = TestBuild.Cli(["run", config], new Dictionary<string, string> { ["EXITING_PLUGIN_WHEN"] = "train" });

        first.ExitCode.ShouldBe(1, first.Err + first.Out);
        string message = "the process was ended (exit code 0) while training and evaluating the run exiting_lr1e-03_s3, before that work finished: " +
                         "something in the process called Environment.Exit (a plugin?). Nothing of the unfinished work counts as done.";
        first.Err.ShouldContain("error: " + message);
        File.Exists(Path.Combine(sweep, "exiting_lr1e-03_s3", "result.json")).ShouldBeFalse();
        JsonNode.Parse(File.ReadAllText(Path.Combine(sweep, "early-exit.json")))!["message"]!.GetValue<string>().ShouldBe(message);

        var second = TestBuild.Cli(["run", config]);

        second.ExitCode.ShouldBe(0, second.Err + second.Out);
        second.Out.ShouldContain($"[sweep] the previous 'retain run' of this sweep did not finish: {message} (");
        File.Exists(Path.Combine(sweep, "early-exit.json")).ShouldBeFalse();
        JsonNode.Parse(File.ReadAllText(Path.Combine(sweep, "exiting_lr1e-03_s3", "result.json")))!["status"]!.GetValue<string>().ShouldBe("completed");
    }

    [Fact]
    public void Sigint_prints_how_to_resume_and_exits_130_and_the_resumed_run_removes_leftover_temporaries()
    {
        using var temp = new TempFolder();
        var config = TinySweep.Config(temp, "[\"standard\"]");
        var run = Path.Combine(temp.Path, "out", "tiny", "standard_lr1e-03_s3");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(TestBuild.CliDirectory, "retain.dll"), "run", config }) start.ArgumentList.Add(arg);
        start.Environment["NO_COLOR"] = "1";
        using (var process = Process.Start(start)!)
        {
            _ = process.StandardOutput.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (DateTime.UtcNow < deadline && !process.HasExited && !File.Exists(Path.Combine(run, "metrics.jsonl"))) Thread.Sleep(20);
            kill(process.Id, 2).ShouldBe(0);
            process.WaitForExit(60_000).ShouldBeTrue("SIGINT must end the run");
            process.ExitCode.ShouldBe(130);
            process.StandardError.ReadToEnd().Trim().ShouldBe("interrupted; run the same command again to resume");
        }
        File.Exists(Path.Combine(run, "result.json")).ShouldBeFalse();

        // What a kill in the middle of a checkpoint write, or a full disk, leaves behind.
        Directory.CreateDirectory(Path.Combine(run, "last.tmp"));
        Directory.CreateDirectory(Path.Combine(run, $".best.{12345}.{Guid.NewGuid():N}.tmp"));
        File.WriteAllText(Path.Combine(run, "result.json.tmp"), "{");

        var resumed = TestBuild.Cli(["run", config]);

        resumed.ExitCode.ShouldBe(0, resumed.Err + resumed.Out);
        resumed.Out.ShouldContain("[standard_lr1e-03_s3] removed what an interrupted write left: ");
        Directory.GetFileSystemEntries(run, "*.tmp", SearchOption.AllDirectories).ShouldBeEmpty();
        File.Exists(Path.Combine(run, "result.json")).ShouldBeTrue();
    }

    [Fact]
    public void An_empty_train_file_is_named_as_such()
    {
        using var temp = new TempFolder();
        temp.File("empty.jsonl", "");
        var (code, output, error) = TestBuild.Cli(["run", TinySweep.Config(temp, "[\"standard\"]", trainPath: "empty.jsonl")]);

        code.ShouldBe(1, error + output);
        error.Trim().ShouldBe("error: the dataset 'jsonl' has no training examples: 200 row(s) were read from its files and none went to training (is the train file empty?). Point its train file option at a file with usable rows.");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
