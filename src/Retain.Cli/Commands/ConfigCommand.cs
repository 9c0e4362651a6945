using System.CommandLine;
using Retain.Hosting;
using Retain.Hosting.Configuration;

namespace Retain.Cli.Commands;

/// <summary><c>retain config validate FILE [--set key=value]...</c>.</summary>
public static class ConfigCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(CliConsole console)
    {
        var file = new Argument<FileInfo>("file") { Description = "The run configuration (JSON)." };
        var set = SetOption();
        var plugins = CommonOptions.PluginPaths();
        var validate = new Command("validate", "Check a run configuration: keys, types, values, plugin names and options, strategy combinations. Reports every problem at once.") { file, set, plugins };
        validate.SetAction(parse => console.Guard(() =>
        {
            var bound = BoundRunConfig.Bind(ConfigurationLoader.Load(parse.GetValue(file)!.FullName, parse.GetValue(set)));
            bound.CommandLinePlugins = CommonOptions.SearchPaths(parse.GetValue(plugins)).ToList();
            using var host = RetainHost.ForRun(bound);
            var config = bound.Config;
            int runs = config.Methods.Count * config.LearningRates.Count * config.Seeds.Count;
            console.Out.WriteLine($"{bound.Configuration.FilePath}: valid. Sweep '{config.Name}': {config.Methods.Count} method(s) × {config.LearningRates.Count} learning rate(s) × {config.Seeds.Count} seed(s) = {runs} run(s).");
            return ExitCodes.Success;
        }));
        var command = new Command("config", "Work with run configurations.") { validate };
        return command;
    }

    /// <summary><c>--set key=value</c>, repeatable: overrides a configuration key.</summary>
    public static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override a configuration key, e.g. --set training.epochs=2 (repeatable). RETAIN_<key> environment variables (':' written '__') override too.",
    };
}
