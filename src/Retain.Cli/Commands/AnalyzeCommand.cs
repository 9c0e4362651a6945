using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Retain.Data;
using Retain.Hosting;
using Retain.Hosting.Analysis;
using Retain.Hosting.Configuration;
using Retain.Hosting.Data;
using Retain.Hosting.Models;
using Retain.Hosting.Plugins;
using Retain.Hosting.Runs;
using Retain.Plugins;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary><c>retain analyze tokens --model DIR... --dataset NAME [--limit N] [--run DIR...]</c>: the paper's token-level analysis.</summary>
public static class AnalyzeCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(CliConsole console)
    {
        var models = new Option<string[]>("--model") { Description = "Model directory (repeatable: one box per model).", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "Dataset plugin name.", Required = true };
        var path = new Option<string?>("--path") { Description = "The dataset's main file (its first *Path option)." };
        var option = new Option<string[]>("--option") { Description = "A dataset option, key=value (repeatable)." };
        var split = new Option<string>("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => "train" };
        var limit = new Option<int>("--limit") { Description = "Examples to score (seeded subsample).", DefaultValueFactory = _ => 200 };
        var threshold = new Option<double>("--threshold") { Description = "Tokens below this probability are low-probability (s counts them per example).", DefaultValueFactory = _ => 0.5 };
        var runs = new Option<string[]>("--run") { Description = "A run folder of 'retain run' (repeatable): its logged share of easy tokens per epoch is plotted." };
        var output = new Option<string>("--out") { Description = "Folder for token-analysis.html and .md.", DefaultValueFactory = _ => "." };
        var template = new Option<string?>("--chat-template") { Description = "Chat template name when a model's own is not recognised." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var maxLength = new Option<int>("--max-length") { Description = "Sequence limit (longer examples are truncated).", DefaultValueFactory = _ => 2048 };
        var seed = new Option<int>("--seed") { Description = "Seed of the split and the subsample.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var plugins = CommonOptions.PluginPaths();
        var tokens = new Command("tokens", "Per-token probabilities of training targets under one or more models: statistics, box plots, a heatmap of one example, s (low-probability tokens per example), and the share of easy tokens per epoch from run logs.")
            { models, dataset, path, option, split, limit, threshold, runs, output, template, device, maxLength, seed, json, plugins };
        tokens.SetAction(parse => console.Guard(() =>
        {
            if (parse.GetValue(threshold) is <= 0 or >= 1) throw new UsageException("--threshold must be between 0 and 1.");
            using var host = RetainHost.Build(CommonOptions.SearchPaths(parse.GetValue(plugins)));
            var reference = CommandLineComponents.Reference(host.Catalog, PluginKind.Dataset, parse.GetValue(dataset)!, parse.GetValue(path), parse.GetValue(option) ?? []);
            var instance = CommandLineComponents.Create<IDataset>(host, PluginKind.Dataset, reference);
            var splits = instance.Load(DatasetLoader.Context(host, DataLocator.Create([Environment.CurrentDirectory]), parse.GetValue(seed)));
            IReadOnlyList<Example> examples = parse.GetValue(split) switch
            {
                "train" => splits.Train,
                "validation" => splits.Validation,
                "test" => splits.Test,
                var other => throw new UsageException($"--split '{other}': use train, validation or test."),
            };
            if (examples.Count > parse.GetValue(limit))
            {
                examples = DataOrder.Subsample(examples.Count, parse.GetValue(limit), parse.GetValue(seed)).Select(i => examples[i]).ToList();
            }

            var measured = new List<TokenProbabilities>();
            foreach (var directory in parse.GetValue(models)!)
            {
                using var loaded = LoadedModel.Load(ModelOptions.Resolve("--model", directory), parse.GetValue(device)!, parse.GetValue(template));
                var encoder = new ExampleEncoder(loaded.Tokenizer, loaded.RequireTemplate(), Math.Min(parse.GetValue(maxLength), loaded.Language.MaxSequenceLength), OverLengthPolicy.Truncate);
                measured.Add(TokenAnalysis.Measure(loaded, encoder, examples, Label(directory)));
            }
            var runDirectories = parse.GetValue(runs) ?? [];
            var epochs = runDirectories.Length == 0 ? null : TokenAnalysis.EasyFractionByEpoch(runDirectories);
            var (html, md) = TokenAnalysis.Write(Path.GetFullPath(parse.GetValue(output)!), measured, parse.GetValue(threshold), epochs);
            var summaries = measured.Select(m => TokenAnalysis.Summarize(m, parse.GetValue(threshold))).ToList();
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new { summaries, epochs = epochs?.ToDictionary(e => e.Key, e => e.Value.Select(p => new { epoch = p.Epoch, fraction = p.Fraction })), html, markdown = md }, CommonOptions.Json));
                return ExitCodes.Success;
            }
            var table = new Table().AddColumns("Model", "Examples", "Tokens", "Mean p", "Median", "Share ≥ t", "s");
            foreach (var s in summaries)
            {
                table.AddRow(Markup.Escape(s.Model), s.Examples.ToString(CultureInfo.InvariantCulture), s.Tokens.ToString(CultureInfo.InvariantCulture),
                    s.Mean.ToString("0.0000", CultureInfo.InvariantCulture), s.Median.ToString("0.0000", CultureInfo.InvariantCulture),
                    s.EasyFraction.ToString("0.0000", CultureInfo.InvariantCulture), s.LowPerExample.ToString("0.00", CultureInfo.InvariantCulture));
            }
            CommonOptions.Console(console).Write(table);
            console.Out.WriteLine($"Report: {html}");
            return ExitCodes.Success;
        }));
        return new Command("analyze", "Analyses of models and data.") { tokens };
    }

    private static string Label(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var name = Path.GetFileName(full);
        return name is "best" or "last" ? $"{Path.GetFileName(Path.GetDirectoryName(full))}/{name}" : name;
    }
}
