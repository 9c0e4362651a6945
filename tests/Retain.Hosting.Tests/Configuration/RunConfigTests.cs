using Retain.Testing;
using System.Collections;
using Retain.Hosting.Configuration;
using Retain.Hosting.Plugins;

namespace Retain.Hosting.Tests.Configuration;

public class RunConfigTests
{
    private static readonly string Model = Retain.Testing.TestPaths.SharedFile("models", "stories260K");

    private static BoundRunConfig Bind(TempFolder temp, string json, IEnumerable<string>? overrides = null, IDictionary? environment = null)
        => BoundRunConfig.Bind(ConfigurationLoader.Load(temp.File("run.json", json), overrides, environment ?? new Hashtable()));

    private static ConfigurationException Invalid(BoundRunConfig bound)
        => Should.Throw<ConfigurationException>(() => RetainHost.ForRun(bound));

    private static string Valid(string extra = "") => $$"""
        {
          "model": "{{Model.Replace("\\", "/")}}",
          "dataset": "none",
          "learningRates": [1e-5, 5e-6],
          "plugins": { "paths": [ "{{TestBuild.RepoPlugins.Replace("\\", "/")}}" ] }{{extra}}
        }
        """;

    [Fact]
    public void Every_error_is_reported_at_once_naming_the_file_and_the_key_path()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, Valid("""
            , "trainng": { "epochs": 2 },
              "training": { "batchSize": "eight", "warmupRatio": 3 },
              "methods": [ "standard", { "strategies": [ { "name": "standard", "options": { "tau": 1 } } ] } ]
            """));

        var errors = Invalid(bound).Errors.Select(e => e.ToString()).ToList();

        var file = Path.Combine(temp.Path, "run.json");
        errors.ShouldContain($"{file}: trainng: unknown key 'trainng'. Did you mean 'training'? Known keys: name, model, device, chatTemplate, output, dataset, data, methods, learningRates, seeds, training, validation, benchmarks, general, plugins, save.");
        errors.ShouldContain($"{file}: training.batchSize: expected an integer, got the string \"eight\" (write it without quotes).");
        errors.ShouldContain($"{file}: training.warmupRatio: must be between 0 and 1.");
        errors.ShouldContain($"{file}: methods[1].strategies[0].options.tau: strategy 'standard' takes no options.");
        errors.ShouldContain(e => e.StartsWith($"{file}: dataset: unknown dataset 'none'", StringComparison.Ordinal));
        errors.ShouldContain($"{file}: methods: two methods are labelled 'standard'; give them distinct names.");
        errors.Count.ShouldBe(6, string.Join(Environment.NewLine, errors));
    }

    [Fact]
    public void An_unknown_strategy_lists_the_available_ones_with_a_suggestion()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, Valid(""", "methods": ["standrd"] """));

        var error = Invalid(bound).Errors.Single(e => e.Key == "methods:0");

        error.Message.ShouldStartWith("unknown strategy 'standrd'. Did you mean 'standard'? Available: ");
        error.Message.ShouldContain("standard");
    }

    [Fact]
    public void Json_syntax_errors_give_line_and_column()
    {
        using var temp = new TempFolder();
        var path = temp.File("run.json", "{\n  \"model\": \"x\",\n  \"learningRates\": [1e-5,, ]\n}");

        var error = Should.Throw<ConfigurationException>(() => ConfigurationLoader.Load(path)).Errors.ShouldHaveSingleItem();

        error.Source.ShouldBe(path);
        error.Message.ShouldStartWith("invalid JSON at line 3");
    }

    [Fact]
    public void Missing_required_keys_and_a_missing_model_directory_are_errors()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, $$"""{ "model": "no/such/model", "plugins": { "paths": [ "{{TestBuild.RepoPlugins.Replace("\\", "/")}}" ] } }""");

        var errors = Invalid(bound).Errors.Select(e => $"{e.DisplayKey}: {e.Message}").ToList();

        errors.ShouldContain("dataset: is required: the domain dataset, e.g. { \"name\": \"gsm8k\", \"options\": { ... } }.");
        errors.ShouldContain("learningRates: is required: at least one learning rate, e.g. [1e-5, 5e-6].");
        errors.ShouldContain($"model: directory not found: {Path.Combine(temp.Path, "no", "such", "model")}");
    }

    [Fact]
    public void Environment_and_command_line_overrides_apply_and_are_named_in_errors()
    {
        using var temp = new TempFolder();
        var environment = new Hashtable { ["RETAIN_training__epochs"] = "3", ["RETAIN_PLUGIN_PATH"] = "/ignored", ["RETAIN_seeds__0"] = "x" };
        var bound = Bind(temp, Valid(), ["training.maxSteps=7", "validation.everySteps=oops"], environment);

        bound.Config.Training.Epochs.ShouldBe(3);
        bound.Config.Training.MaxSteps.ShouldBe(7);
        bound.BindingErrors.Select(e => e.ToString()).ShouldBe(
        [
            "environment variable RETAIN_seeds__0: seeds[0]: expected an integer, got 'x'.",
            "command line (--set validation.everySteps=oops): validation.everySteps: expected an integer, got 'oops'.",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Two_primary_objectives_in_one_method_are_refused()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, Valid(""", "methods": [ { "name": "double", "strategies": ["standard", "standard"] } ] """));

        var errors = Invalid(bound).Errors;

        errors.ShouldContain(e => e.Key == "methods:0" && e.Message.Contains("each define the data-fit term"));
    }

    [Fact]
    public void Defaults_are_filled_for_a_minimal_valid_configuration()
    {
        using var temp = new TempFolder();
        var bound = Bind(temp, Valid());

        bound.BindingErrors.ShouldBeEmpty();
        bound.Config.Name.ShouldBe("run");
        bound.Config.Methods.ShouldHaveSingleItem().Label.ShouldBe("standard");
        bound.Config.LearningRates.ShouldBe([1e-5, 5e-6]);
        bound.Config.Training.Beta2.ShouldBe(0.999);
        bound.Config.Seeds.ShouldBe([42]);
    }
}
