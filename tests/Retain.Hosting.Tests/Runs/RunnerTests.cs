using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Runs;

/// <summary>End-to-end sweeps through the built CLI on the shipped stories260K model and BoolQ subset.</summary>
public class RunnerTests
{
    private static string Config(TempFolder temp, string output, double[] learningRates, int steps = 12, string methods = "[\"standard\"]", string? plugins = null)
    {
        var assets = TestPaths.RepoFile("assets");
        var config = new JsonObject
        {
            ["name"] = "tiny",
            ["model"] = Path.Combine(assets, "models", "stories260K"),
            ["chatTemplate"] = "plain",
            ["output"] = output,
            ["dataset"] = JsonNode.Parse("""
                { "name": "jsonl", "options": { "trainPath": "boolq-mini/train.jsonl", "validationPath": "boolq-mini/validation.jsonl",
                  "testPath": "boolq-mini/test.jsonl", "maxNewTokens": 3, "stop": ["\n"], "ignoreCase": true } }
                """),
            ["data"] = new JsonObject { ["maxLength"] = 512, ["trainLimit"] = steps * 4, ["roots"] = new JsonArray(Path.Combine(assets, "data")) },
            ["methods"] = JsonNode.Parse(methods),
            ["learningRates"] = new JsonArray(learningRates.Select(lr => (JsonNode)lr).ToArray()),
            ["seeds"] = new JsonArray(3),
            ["training"] = new JsonObject { ["epochs"] = 1, ["batchSize"] = 4, ["warmupRatio"] = 0.1, ["checkpointEverySteps"] = 1 },
            ["validation"] = new JsonObject { ["everySteps"] = 4, ["limit"] = 6, ["testLimit"] = 6 },
        };
        if (plugins is not null) config["plugins"] = new JsonObject { ["paths"] = new JsonArray(plugins) };
        return temp.File($"{Path.GetFileName(output)}.json", config.ToJsonString());
    }

    private static List<(int Step, double Loss)> Losses(string run)
        => File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!)
            .Where(n => n["loss"] is not null).Select(n => (n["step"]!.GetValue<int>(), n["loss"]!.GetValue<double>())).ToList();

    [Fact]
    public void A_killed_run_resumes_from_its_checkpoint_and_reaches_the_same_result_as_an_uninterrupted_run()
    {
        using var temp = new TempFolder();
        // Both sweeps carry the fixture 'stall' objective (adds nothing); the interrupted one holds at step 5 while the
        // hold file exists, so the kill lands after step 5's checkpoint however loaded the machine is.
        var hold = temp.File("hold", "");
        var methods = $$"""[ { "name": "standard", "strategies": [ "standard", { "name": "stall", "options": { "fromStep": 5, "holdFile": {{JsonSerializer.Serialize(hold)}} } } ] } ]""";
        var straight = Config(temp, Path.Combine(temp.Path, "straight"), [2e-3], methods: methods, plugins: TestBuild.FixturePlugins);
        var interrupted = Config(temp, Path.Combine(temp.Path, "interrupted"), [2e-3], methods: methods, plugins: TestBuild.FixturePlugins);
        var run = Path.Combine(temp.Path, "interrupted", "tiny", "standard_lr2e-03_s3");

        // Start, wait until the run holds at step 5 (five steps logged), kill the process tree hard.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(TestBuild.CliDirectory, "retain.dll"), "run", interrupted }) start.ArgumentList.Add(arg);
        start.Environment["XDG_DATA_HOME"] = TestBuild.IsolatedUserData;
        using (var process = Process.Start(start)!)
        {
            process.StandardOutput.ReadToEndAsync();
            process.StandardError.ReadToEndAsync();
            var metrics = Path.Combine(run, "metrics.jsonl");
            // A safety net only (nothing is asserted about time): the hold keeps the run at step 5 until the kill.
            var deadline = DateTime.UtcNow.AddMinutes(10);
            while (DateTime.UtcNow < deadline && !process.HasExited && !(File.Exists(metrics) && Losses(run).Count >= 5)) Thread.Sleep(50);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        File.Delete(hold);
        Losses(run).Count.ShouldBe(5, "the run holds at step 5 until it is killed");
        File.Exists(Path.Combine(run, "result.json")).ShouldBeFalse("the run must have been interrupted before it finished");
        File.Exists(Path.Combine(run, "last", "state.json")).ShouldBeTrue("a checkpoint must exist to resume from");

        var resumed = TestBuild.Cli(["run", interrupted]);
        resumed.ExitCode.ShouldBe(0, resumed.Err + resumed.Out);
        resumed.Out.ShouldContain("resuming at step");
        var reference = TestBuild.Cli(["run", straight]);
        reference.ExitCode.ShouldBe(0, reference.Err + reference.Out);

        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "straight", "tiny", "standard_lr2e-03_s3", "result.json")))!;
        a["scores"]!.ToJsonString().ShouldBe(b["scores"]!.ToJsonString());
        a["selectedStep"]!.GetValue<int>().ShouldBe(b["selectedStep"]!.GetValue<int>());
        Losses(run).ShouldBe(Losses(Path.Combine(temp.Path, "straight", "tiny", "standard_lr2e-03_s3")));

        // A third invocation finds every run finished and skips it.
        var again = TestBuild.Cli(["run", interrupted]);
        again.ExitCode.ShouldBe(0);
        again.Out.ShouldContain("already finished (completed); skipped");
    }

    [Fact]
    public void A_diverging_run_stops_with_a_clear_message_and_the_sweep_goes_on()
    {
        using var temp = new TempFolder();
        // The fixture 'poison' strategy makes the loss NaN from step 3 on (0-based step 2): after the step-2 checkpoint.
        var config = Config(temp, Path.Combine(temp.Path, "out"), [1e-3], steps: 4,
            methods: """[ "standard", { "name": "poisoned", "strategies": [ "standard", { "name": "poison", "options": { "fromStep": 2 } } ] } ]""",
            plugins: TestBuild.FixturePlugins);

        var (code, output, error) = TestBuild.Cli(["run", config]);

        code.ShouldBe(0, error + output);
        var run = Path.Combine(temp.Path, "out", "tiny", "poisoned_lr1e-03_s3");
        var diverged = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "result.json")))!;
        diverged["status"]!.GetValue<string>().ShouldBe("diverged");
        diverged["error"]!.GetValue<string>().ShouldBe($"the loss became NaN at step 3 (learning rate 1e-03); the run stopped and the last good state is kept in {Path.Combine(run, "last")}.");
        JsonNode.Parse(File.ReadAllText(Path.Combine(run, "last", "state.json")))!["step"]!.GetValue<int>().ShouldBe(2);
        output.ShouldContain("[poisoned_lr1e-03_s3] diverged: the loss became NaN at step 3");
        JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "out", "tiny", "standard_lr1e-03_s3", "result.json")))!["status"]!.GetValue<string>().ShouldBe("completed");
        File.Exists(Path.Combine(temp.Path, "out", "tiny", "report.html")).ShouldBeTrue();
    }

    [Fact]
    public void A_changed_configuration_under_an_existing_output_is_refused_unless_forced()
    {
        using var temp = new TempFolder();
        var output = Path.Combine(temp.Path, "out");
        var first = Config(temp, output, [1e-3], steps: 4);
        TestBuild.Cli(["run", first, "--only", "nothing-matches"]).ExitCode.ShouldBe(0);

        var (code, _, error) = TestBuild.Cli(["run", first, "--set", "training.warmupRatio=0.2", "--only", "nothing-matches"]);
        code.ShouldBe(2);
        error.ShouldContain("the configuration differs from the one that started");
        error.ShouldContain("changed: training.warmupRatio");

        TestBuild.Cli(["run", first, "--set", "training.warmupRatio=0.2", "--only", "nothing-matches", "--force"]).ExitCode.ShouldBe(0);
    }
}
