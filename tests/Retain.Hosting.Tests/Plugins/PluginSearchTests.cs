using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Testing;

namespace Retain.Hosting.Tests.Plugins;

/// <summary>One way to find plugins: --plugins on every verb that loads them, plugins.paths, RETAIN_PLUGIN_PATH, the user folder.</summary>
public class PluginSearchTests
{
    private static string PoisonConfig(TempFolder temp, string? pluginsPath = null)
    {
        var assets = TestPaths.RepoFile("assets");
        var config = new JsonObject
        {
            ["model"] = Path.Combine(assets, "models", "stories260K"),
            ["chatTemplate"] = "plain",
            ["dataset"] = JsonNode.Parse("""{ "name": "jsonl", "options": { "trainPath": "boolq-mini/train.jsonl", "validationPath": "boolq-mini/validation.jsonl", "testPath": "boolq-mini/test.jsonl" } }"""),
            ["data"] = new JsonObject { ["roots"] = new JsonArray(Path.Combine(assets, "data")), ["trainLimit"] = 4 },
            ["methods"] = JsonNode.Parse("""[ { "name": "poisoned", "strategies": [ "standard", "poison" ] } ]"""),
            ["learningRates"] = new JsonArray(1e-3),
            ["validation"] = new JsonObject { ["limit"] = 2, ["testLimit"] = 2 },
            ["output"] = Path.Combine(temp.Path, "runs"),
        };
        if (pluginsPath is not null) config["plugins"] = new JsonObject { ["paths"] = new JsonArray(pluginsPath) };
        return temp.File("poison.json", config.ToJsonString());
    }

    [Fact]
    public void Config_validate_and_run_take_plugins_folders_on_the_command_line()
    {
        using var temp = new TempFolder();
        var config = PoisonConfig(temp);

        var without = TestBuild.Cli(["config", "validate", config]);
        without.ExitCode.ShouldBe(2);
        without.Err.ShouldContain("unknown strategy 'poison'");

        var with = TestBuild.Cli(["config", "validate", config, "--plugins", TestBuild.FixturePlugins]);
        with.ExitCode.ShouldBe(0, with.Err);
        with.Out.ShouldContain("valid.");

        // run accepts the option too (--only with no match: the plugins are loaded and validated, nothing trains).
        var run = TestBuild.Cli(["run", config, "--plugins", TestBuild.FixturePlugins, "--only", "nothing-matches"]);
        run.ExitCode.ShouldBe(0, run.Err);
    }

    [Fact]
    public void The_command_line_folder_wins_over_plugins_paths_and_the_message_names_both_copies()
    {
        using var temp = new TempFolder();
        var mine = TestBuild.CopyPlugin("PoisonPlugin", Path.Combine(temp.Path, "mine"));
        var configured = TestBuild.CopyPlugin("PoisonPlugin", Path.Combine(temp.Path, "configured"));
        var config = PoisonConfig(temp, Path.Combine(temp.Path, "configured"));

        var (code, _, error) = TestBuild.Cli(["config", "validate", config, "--plugins", Path.Combine(temp.Path, "mine")]);

        code.ShouldBe(0, error);
        error.ShouldContain($"warning: plugin {configured}: plugin 'PoisonPlugin' is also in {mine} (from --plugins), which is searched first and wins");
    }

    [Fact]
    public void The_user_plugin_folder_is_searched_by_every_retain()
    {
        using var temp = new TempFolder();
        TestBuild.CopyPlugin("GreeterOne", Path.Combine(temp.Path, "retain", "plugins"));

        var (code, output, error) = TestBuild.Cli(["plugins", "--json"], new Dictionary<string, string> { ["XDG_DATA_HOME"] = temp.Path });

        code.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var greeter = json.RootElement.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "greeter-one");
        greeter.GetProperty("assembly").GetString().ShouldBe(Path.Combine(temp.Path, "retain", "plugins", "GreeterOne", "GreeterOne.dll"));
    }

    [Fact]
    public void The_plugins_table_shows_each_components_options_with_type_and_default()
    {
        var (code, output, error) = TestBuild.Cli(["plugins"]);

        code.ShouldBe(0, error);
        output.ShouldContain("Options (set them under \"options\"");
        var l2 = output.Split('\n').First(l => l.Contains("l2 (strategy)"));
        l2.ShouldContain("lambda");
        l2.ShouldContain("number");
        l2.ShouldContain("0.001");
    }
}
