using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Plugins;

/// <summary>The README's "Writing a loss plugin" steps, followed exactly, end in a loss a configuration trains with.</summary>
public class LossTemplateTests
{
    [Fact]
    public void The_template_gives_a_loss_plugin_that_the_built_host_lists_validates_and_trains_with()
    {
        using var temp = new TempFolder();
        var hive = Path.Combine(temp.Path, "hive");
        var project = Path.Combine(temp.Path, "FocalLoss");
        var plugins = Path.Combine(temp.Path, "plugins");

        Dotnet("new", "install", TestPaths.RepoFile("build", "templates", "RetainLossPlugin"), "--debug:custom-hive", hive);
        Dotnet("new", "retain-loss", "-n", "FocalLoss", "--component", "focal", "--retainRoot", TestPaths.RepoRoot, "-o", project, "--debug:custom-hive", hive);
        // The default: the user plugin folder, which every retain searches (here a private one for this test).
        var userData = Path.Combine(temp.Path, "userdata");
        var environment = new Dictionary<string, string> { ["XDG_DATA_HOME"] = userData };
        var build = TestBuild.Run("dotnet", ["build", project, "-c", TestBuild.Configuration, "-nodeReuse:false", "-p:UseSharedCompilation=false"], environment);
        build.ExitCode.ShouldBe(0, build.Out + build.Err);
        var userPlugin = Path.Combine(userData, "retain", "plugins", "FocalLoss");
        build.Out.ShouldContain($"Retain plugin FocalLoss -> {userPlugin}/ (the user plugin folder: every retain finds it)");
        var found = TestBuild.Cli(["plugins", "--json"], environment);
        JsonNode.Parse(found.Out)!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "focal")!["assembly"]!.GetValue<string>().ShouldStartWith(userPlugin);

        // Elsewhere, named without a trailing slash: the folder is still <dir>/FocalLoss/, and the build says how to use it.
        build = TestBuild.Run("dotnet", ["build", project, "-c", TestBuild.Configuration, "-nodeReuse:false", "-p:UseSharedCompilation=false", $"-p:RetainPluginsDir={plugins}"], environment);
        build.ExitCode.ShouldBe(0, build.Out + build.Err);
        File.Exists(Path.Combine(plugins, "FocalLoss", "FocalLoss.dll")).ShouldBeTrue();
        build.Out.ShouldContain($"Retain plugin FocalLoss -> {plugins}/FocalLoss/ (not a folder retain searches by default: run retain with --plugins {plugins}/ or set RETAIN_PLUGIN_PATH={plugins}/)");

        var listed = TestBuild.Cli(["plugins", "--plugins", plugins, "--json"]);
        listed.ExitCode.ShouldBe(0, listed.Err);
        var focal = JsonNode.Parse(listed.Out)!.AsArray().Single(n => n!["name"]!.GetValue<string>() == "focal")!;
        focal["kind"]!.GetValue<string>().ShouldBe("strategy");
        focal["options"]![0]!["name"]!.GetValue<string>().ShouldBe("gamma");
        focal["options"]![0]!["default"]!.GetValue<double>().ShouldBe(2.0);

        var config = new JsonObject
        {
            ["name"] = "focal",
            ["model"] = TestPaths.RepoFile("assets", "models", "stories260K"),
            ["chatTemplate"] = "plain",
            ["output"] = Path.Combine(temp.Path, "runs"),
            ["dataset"] = JsonNode.Parse("""{ "name": "jsonl", "options": { "trainPath": "boolq-mini/train.jsonl", "validationPath": "boolq-mini/validation.jsonl", "testPath": "boolq-mini/test.jsonl", "maxNewTokens": 3, "stop": ["\n"] } }"""),
            ["data"] = new JsonObject { ["trainLimit"] = 8, ["roots"] = new JsonArray(TestPaths.RepoFile("assets", "data")) },
            ["methods"] = JsonNode.Parse("""[ { "name": "focal", "strategies": [ { "name": "focal", "options": { "gamma": 2 } } ] } ]"""),
            ["learningRates"] = new JsonArray(1e-3),
            ["training"] = new JsonObject { ["batchSize"] = 4 },
            ["validation"] = new JsonObject { ["limit"] = 4, ["testLimit"] = 4 },
            ["plugins"] = new JsonObject { ["paths"] = new JsonArray(plugins) },
        };
        var file = temp.File("focal.json", config.ToJsonString());

        var invalid = TestBuild.Cli(["config", "validate", file, "--set", "methods:0:strategies:0:options:gamma=-1"]);
        invalid.ExitCode.ShouldBe(2);
        invalid.Err.ShouldContain("methods[0].strategies[0].options.gamma: must be between 0 and 10.");

        var run = TestBuild.Cli(["run", file]);
        run.ExitCode.ShouldBe(0, run.Err + run.Out);
        var result = JsonNode.Parse(File.ReadAllText(Path.Combine(temp.Path, "runs", "focal", "focal_lr1e-03_s42", "result.json")))!;
        result["status"]!.GetValue<string>().ShouldBe("completed");
        var steps = File.ReadLines(Path.Combine(temp.Path, "runs", "focal", "focal_lr1e-03_s42", "metrics.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        steps.ShouldAllBe(s => s["focal/gamma"]!.GetValue<double>() == 2.0); // the plugin's own metric, attributed to it
    }

    private static void Dotnet(params string[] args)
    {
        var (code, output, error) = TestBuild.Run("dotnet", args);
        code.ShouldBe(0, $"dotnet {string.Join(' ', args)}\n{output}\n{error}");
    }
}
