using Microsoft.Extensions.Options;
using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Plugins;
using Retain.Kernel;
using Retain.Kernel.Models;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Hosting.Configuration;

/// <summary>
/// Validates a bound <see cref="RunConfig"/> at start: binding errors, DataAnnotations, the model directory, every
/// plugin reference and its options, and strategy combinations. Reports every problem at once.
/// </summary>
public sealed class RunConfigValidator(BoundRunConfig bound, ComponentFactory components) : IValidateOptions<RunConfig>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunConfig options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }

    /// <summary>Every problem of the configuration.</summary>
    public List<ConfigurationError> Check(RunConfig config)
    {
        var binder = bound.Configuration.Binder;
        var errors = new List<ConfigurationError>(bound.BindingErrors);
        var validation = new List<ConfigurationError>();
        binder.Validate(config, "", validation);
        // A value that did not convert was left out, so "is required" about its key would only repeat that error.
        errors.AddRange(validation.Where(v => !bound.BindingErrors.Any(b => SameOrBelow(b.Key, v.Key))));

        if (config.Model.Length > 0)
        {
            var model = bound.ResolvePath(config.Model);
            try
            {
                // The config's values and the tensors' shapes, from the headers; the weights' values are checked when a run loads them.
                Checkpoint.Inspect(model);
            }
            catch (ModelFormatException e)
            {
                errors.Add(binder.Error("model", e.Message));
            }
        }
        if (config.Name is { } name && PathSegment.Problem(name) is null && OutputFolder.Problem(Path.Combine(bound.ResolvePath(config.Output), name)) is { } output)
        {
            errors.Add(binder.Error("output", output));
        }
        if (config.Dataset is { } dataset) components.Create<IDataset>(PluginKind.Dataset, dataset, binder, errors);
        foreach (var benchmark in config.Benchmarks) components.Create<IBenchmark>(PluginKind.Benchmark, benchmark, binder, errors);
        for (int m = 0; m < config.Methods.Count; m++) CheckMethod(config.Methods[m], $"methods:{m}", binder, errors);
        return errors;
    }

    private static bool SameOrBelow(string key, string parent)
        => string.Equals(key, parent, StringComparison.OrdinalIgnoreCase) || key.StartsWith(parent + ":", StringComparison.OrdinalIgnoreCase);

    private void CheckMethod(MethodConfig method, string path, StrictBinder binder, List<ConfigurationError> errors)
    {
        if (method.Strategies.Count == 0)
        {
            errors.Add(binder.Error(path, "a method needs at least one strategy, e.g. \"standard\" or { \"strategies\": [\"talr\", \"l2\"] }."));
            return;
        }
        var created = new List<(ComponentReference Reference, ITrainingStrategy Strategy)>();
        foreach (var reference in method.Strategies)
        {
            if (components.Create<ITrainingStrategy>(PluginKind.Strategy, reference, binder, errors) is { } strategy) created.Add((reference, strategy));
        }
        if (created.Count != method.Strategies.Count) return;
        foreach (var problem in StrategyComposition.Check(created.Select(c => (c.Reference.Name, c.Strategy)).ToList()))
        {
            errors.Add(binder.Error(path, problem));
        }
    }
}

/// <summary>The rules for combining strategies in one run.</summary>
public static class StrategyComposition
{
    /// <summary>Problems with combining these strategies (empty when they compose).</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<(string Name, ITrainingStrategy Strategy)> strategies)
    {
        var problems = new List<string>();
        void AtMostOne<T>(string what, string why)
        {
            var named = strategies.Where(s => s.Strategy is T).Select(s => $"'{s.Name}'").ToList();
            if (named.Count > 1) problems.Add($"strategies {string.Join(" and ", named)} are both {what}; {why}");
        }
        var primaries = strategies.Where(s => s.Strategy is ITokenObjective { IsPrimary: true }).Select(s => $"'{s.Name}'").ToList();
        if (primaries.Count > 1)
        {
            problems.Add($"strategies {string.Join(" and ", primaries)} each define the data-fit term (primary token objectives), so the NLL would be counted twice; keep one and combine it with additive terms such as kl or l2.");
        }
        AtMostOne<IModelAdapter>("model adapters", "a run adapts the model one way.");
        AtMostOne<IPostTrainingMerge>("post-training merges", "a run produces one family of merged checkpoints.");
        foreach (var (name, strategy) in strategies)
        {
            var others = strategies.Where(s => !ReferenceEquals(s.Strategy, strategy)).Select(s => s.Strategy).ToList();
            if (strategy.CheckCompatibility(others) is { } message) problems.Add($"'{name}': {message}");
        }
        return problems;
    }
}

/// <summary>A run configuration bound from its file, with the binding's errors (reported by the validator).</summary>
public sealed class BoundRunConfig
{
    private BoundRunConfig(LoadedConfiguration configuration, RunConfig config, IReadOnlyList<ConfigurationError> errors)
    {
        Configuration = configuration;
        Config = config;
        BindingErrors = errors;
    }

    /// <summary>The loaded file.</summary>
    public LoadedConfiguration Configuration { get; }

    /// <summary>The bound configuration (partially bound when there were errors).</summary>
    public RunConfig Config { get; }

    /// <summary>Unknown keys and values that did not convert.</summary>
    public IReadOnlyList<ConfigurationError> BindingErrors { get; }

    /// <summary>Binds a loaded configuration strictly.</summary>
    public static BoundRunConfig Bind(LoadedConfiguration configuration)
    {
        var errors = new List<ConfigurationError>();
        var binder = configuration.Binder;
        var config = (RunConfig)binder.Bind(configuration.Root, "", typeof(RunConfig), errors);
        if (config.Name is null)
        {
            config.Name = Path.GetFileNameWithoutExtension(configuration.FilePath);
            if (PathSegment.Problem(config.Name) is { } problem)
                errors.Add(binder.Error("name", $"the sweep name defaults to the file name '{config.Name}', which {problem}; set \"name\" ({PathSegment.Rule})."));
        }
        else if (PathSegment.Problem(config.Name) is { } problem)
        {
            errors.Add(binder.Error("name", $"'{config.Name}' {problem}: the sweep is written to <output>/<name>, and {PathSegment.Rule}."));
        }
        for (int m = 0; m < config.Methods.Count; m++)
        {
            if (config.Methods[m].Name is { } label && PathSegment.Problem(label) is { } problem)
                errors.Add(binder.Error($"methods:{m}:name", $"'{label}' {problem}: run folders are named after methods, and {PathSegment.Rule}."));
        }
        if (config.Methods.Count == 0)
        {
            if (configuration.IsEmptyList("methods"))
                errors.Add(binder.Error("methods", "is an empty list: name at least one method, e.g. [\"standard\"] (leaving the key out runs standard SFT)."));
            config.Methods.Add(MethodConfig.FromScalar("standard", "methods"));
        }
        return new BoundRunConfig(configuration, config, errors);
    }

    /// <summary>A path from the configuration, resolved against the configuration file's folder.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(Configuration.BaseDirectory, path));

    /// <summary>Plugin folders named on the command line (<c>--plugins</c>); searched before <c>plugins.paths</c>.</summary>
    public IReadOnlyList<PluginSearchPath> CommandLinePlugins { get; set; } = [];

    /// <summary>The plugin folders of the command line, then those the configuration names, resolved.</summary>
    public IEnumerable<PluginSearchPath> PluginPaths
        => CommandLinePlugins.Concat(Config.Plugins.Paths.Select(p => new PluginSearchPath(ResolvePath(p), $"{Configuration.FilePath} (plugins.paths)")));

    /// <summary>The data locator for this configuration.</summary>
    public DataLocator Data => DataLocator.Create([Configuration.BaseDirectory], Config.Data.Roots.Select(ResolvePath));
}
