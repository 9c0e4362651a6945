using System.Collections;
using Retain.Hosting.Configuration;
using Retain.Hosting.Runs;
using Retain.Testing;

namespace Retain.Hosting.Tests.Configuration;

/// <summary>Values that used to be accepted and ignored, or accepted as something else, are applied or refused by name.</summary>
public class StrictnessTests
{
    private static readonly string Model = TestPaths.SharedFile("models", "stories260K");

    private static string Config(string extra = "") => $$"""
        {
          "model": "{{Model.Replace("\\", "/")}}",
          "dataset": "none",
          "methods": [ "standard", "talr" ],
          "learningRates": [1e-5, 5e-6],
          "seeds": [1, 2]{{extra}}
        }
        """;

    private static BoundRunConfig Bind(TempFolder temp, string json, IEnumerable<string>? overrides = null, IDictionary? environment = null, string file = "run.json")
        => BoundRunConfig.Bind(ConfigurationLoader.Load(temp.File(file, json), overrides, environment ?? new Hashtable()));

    private static List<string> Errors(BoundRunConfig bound) => bound.BindingErrors.Select(e => e.ToString()).ToList();

    [Fact]
    public void List_overrides_replace_the_whole_list_from_the_command_line_and_the_environment()
    {
        using var temp = new TempFolder();
        var single = Bind(temp, Config(), ["learningRates=0.005", "seeds=5", "methods=talr"]);
        Errors(single).ShouldBeEmpty();
        single.Config.LearningRates.ShouldBe([0.005]);
        single.Config.Seeds.ShouldBe([5]);
        single.Config.Methods.ShouldHaveSingleItem().Label.ShouldBe("talr");

        var array = Bind(temp, Config(), ["learningRates=[0.005, 0.01]", """methods=["dft", {"name": "mix", "strategies": ["talr", "l2"]}]"""]);
        Errors(array).ShouldBeEmpty();
        array.Config.LearningRates.ShouldBe([0.005, 0.01]);
        array.Config.Methods.Select(m => m.Label).ShouldBe(["dft", "mix"]);
        array.Config.Methods[1].Strategies.Select(s => s.Name).ShouldBe(["talr", "l2"]);

        var environment = Bind(temp, Config(), environment: new Hashtable { ["RETAIN_learningRates"] = "0.005", ["RETAIN_seeds"] = "[7, 8, 9]" });
        environment.Config.LearningRates.ShouldBe([0.005]);
        environment.Config.Seeds.ShouldBe([7, 8, 9]);

        // One element of a list can still be changed alone.
        Bind(temp, Config(), ["learningRates[1]=0.02"]).Config.LearningRates.ShouldBe([1e-5, 0.02]);
    }

    [Fact]
    public void The_resolved_configuration_shows_the_overridden_list_that_runs()
    {
        using var temp = new TempFolder();
        var plan = SweepPlan.Create(Bind(temp, Config(), ["learningRates=[0.005,0.01]", "seeds=5", "methods=talr"]));

        var effective = plan.Effective.ToJsonString();
        effective.ShouldContain("\"learningRates\":[\"0.005\",\"0.01\"]");
        effective.ShouldContain("\"seeds\":[\"5\"]");
        effective.ShouldContain("\"methods\":[\"talr\"]");
        plan.Runs.Select(r => r.Name).ShouldBe(["talr_lr5e-03_s5", "talr_lr1e-02_s5"]);
    }

    [Fact]
    public void An_override_that_starts_like_json_but_is_not_is_refused_by_name()
    {
        using var temp = new TempFolder();
        var error = Should.Throw<ConfigurationException>(() => Bind(temp, Config(), ["learningRates=[0.005,"])).Errors.ShouldHaveSingleItem();
        error.ToString().ShouldStartWith("command line (--set learningRates=[0.005,): learningRates: '[0.005,' starts like JSON but is not valid JSON (");
    }

    [Fact]
    public void Strings_where_numbers_or_booleans_belong_are_refused_with_the_key_path_and_the_type()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "run.json");
        var bound = Bind(temp, Config("""
            , "training": { "epochs": "2", "weightDecay": "0.1" },
              "data": { "packing": "true" },
              "methods": [ { "name": "t", "strategies": [ { "name": "talr", "options": { "tau": "1" } } ] } ]
            """).Replace("[1e-5, 5e-6]", "[\"1e-3\", 5e-6]").Replace("\"methods\": [ \"standard\", \"talr\" ],", ""));

        Errors(bound).ShouldBe(
        [
            $"{file}: learningRates[0]: expected a number, got the string \"1e-3\" (write it without quotes).",
            $"{file}: training.epochs: expected an integer, got the string \"2\" (write it without quotes).",
            $"{file}: training.weightDecay: expected a number, got the string \"0.1\" (write it without quotes).",
            $"{file}: data.packing: expected true or false, got the string \"true\" (write it without quotes).",
        ], ignoreOrder: true);

        var scalar = Bind(temp, Config().Replace("[1e-5, 5e-6]", "\"1e-3\""));
        Errors(scalar).ShouldBe([$"{file}: learningRates: expected a number, got the string \"1e-3\" (write it without quotes)."]);

        // On the command line and in the environment every value is text, so numbers there are parsed.
        Bind(temp, Config(), ["training.epochs=2", "learningRates=1e-3"]).BindingErrors.ShouldBeEmpty();
    }

    [Fact]
    public void Plugin_options_written_as_strings_are_refused_too()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, Config("""
            , "plugins": { "paths": [ "PLUGINS" ] }
            """).Replace("PLUGINS", TestBuild.RepoPlugins.Replace("\\", "/"))
            .Replace("\"standard\", \"talr\"", "{ \"name\": \"t\", \"strategies\": [ { \"name\": \"talr\", \"options\": { \"minTau\": \"0.5\" } } ] }"));

        var errors = Should.Throw<ConfigurationException>(() => RetainHost.ForRun(bound)).Errors;

        errors.ShouldContain(e => e.Key == "methods:0:strategies:0:options:minTau" && e.Message == "expected a number, got the string \"0.5\" (write it without quotes).");
    }

    [Fact]
    public void An_empty_methods_list_is_refused_and_leaving_the_key_out_runs_standard()
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "run.json");
        Errors(Bind(temp, Config().Replace("[ \"standard\", \"talr\" ]", "[]")))
            .ShouldBe([$"{file}: methods: is an empty list: name at least one method, e.g. [\"standard\"] (leaving the key out runs standard SFT)."]);
        Errors(Bind(temp, Config(), ["methods=[]"])).ShouldHaveSingleItem().ShouldStartWith("command line (--set methods=[]): methods: is an empty list");

        var omitted = Bind(temp, Config().Replace("\"methods\": [ \"standard\", \"talr\" ],", ""));
        Errors(omitted).ShouldBeEmpty();
        omitted.Config.Methods.ShouldHaveSingleItem().Label.ShouldBe("standard");
    }

    [Theory]
    [InlineData("../../../x", "starts with '.' (it must start with a letter or digit)")]
    [InlineData("a/b", "contains '/' (a path separator)")]
    [InlineData("a\\\\b", "contains '\\' (a path separator)")]
    [InlineData(".hidden", "starts with '.' (it must start with a letter or digit)")]
    [InlineData("two words", "contains a space")]
    [InlineData("", "is empty")]
    public void A_sweep_name_that_is_not_one_safe_folder_name_is_refused(string name, string problem)
    {
        using var temp = new TempFolder();
        var file = Path.Combine(temp.Path, "run.json");
        Errors(Bind(temp, Config($", \"name\": \"{name}\""))).ShouldBe(
            [$"{file}: name: '{name.Replace("\\\\", "\\")}' {problem}: the sweep is written to <output>/<name>, and {PathSegment.Rule}."]);
    }

    [Fact]
    public void Method_names_and_a_default_name_from_the_file_name_are_checked_the_same_way()
    {
        using var temp = new TempFolder();
        var methods = Bind(temp, Config().Replace("\"standard\", \"talr\"", "{ \"name\": \"../up\", \"strategies\": [\"talr\"] }"));
        Errors(methods).ShouldBe([$"{Path.Combine(temp.Path, "run.json")}: methods[0].name: '../up' starts with '.' (it must start with a letter or digit): run folders are named after methods, and {PathSegment.Rule}."]);

        var fromFile = Bind(temp, Config(), file: "my sweep.json");
        Errors(fromFile).ShouldBe([$"{Path.Combine(temp.Path, "my sweep.json")}: name: the sweep name defaults to the file name 'my sweep', which contains a space; set \"name\" ({PathSegment.Rule})."]);

        Bind(temp, Config(", \"name\": \"qwen3-4b_medcalc.v2+talr\"")).BindingErrors.ShouldBeEmpty();
    }
}
