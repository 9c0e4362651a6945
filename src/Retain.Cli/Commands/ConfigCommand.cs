using System.CommandLine;
using Retain.Hosting;
using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Hosting.Data;
using Retain.Hosting.Plugins;
using Retain.Hosting.Runs;
using Retain.Plugins;

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
            // The data's first pass: every row read and checked as a run would, so a malformed row fails here, not hours later.
            var dataset = host.Components.Create<IDataset>(PluginKind.Dataset, config.Dataset!, bound.Configuration.Binder, [])!;
            var splits = dataset.Load(DatasetLoader.Context(host, bound.Data, config.Data.Seed));
            if (splits.Train.Count == 0) throw new DataException(SweepContext.NoTrainingExamples(config.Dataset!.Name, splits.Report));
            int runs = config.Methods.Count * config.LearningRates.Count * config.Seeds.Count;
            var sweep = SweepPlan.Create(bound).Directory;
            console.Out.WriteLine($"{bound.Configuration.FilePath}: valid. Sweep '{config.Name}': {config.Methods.Count} method(s) × {config.LearningRates.Count} learning rate(s) × {config.Seeds.Count} seed(s) = {runs} run(s).");
            console.Out.WriteLine($"Checked: keys, types and values; plugins and their options; strategy combinations; the model folder has config.json; " +
                $"the output folder {sweep} can be written; the dataset '{config.Dataset!.Name}' reads: {splits.Report.RowsRead} row(s), " +
                $"{splits.Report.Rejected.Count} rejected, {splits.Train.Count} train / {splits.Validation.Count} validation / {splits.Test.Count} test.");
            console.Out.WriteLine("Not checked (needs the run itself): the model's weights and tokenizer, tokenized example lengths against data.maxLength, " +
                "the benchmarks' data files, the device, and whether training converges.");
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
