using System.CommandLine;
using System.Text.Json;
using Retain.Data;
using Retain.Hosting;
using Retain.Hosting.Configuration;
using Retain.Hosting.Data;
using Retain.Hosting.Plugins;
using Retain.Kernel.Chat;
using Retain.Kernel.Tokenization;
using Retain.Plugins;

namespace Retain.Cli.Commands;

/// <summary><c>retain data stats --dataset NAME [--path FILE] [--option k=v]... [--model DIR] [--json]</c>.</summary>
public static class DataCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(CliConsole console)
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset plugin name (see 'retain plugins').", Required = true };
        var path = new Option<string?>("--path") { Description = "The dataset's main data, its first *Path option (medcalc testPath, gsm8k trainPath, esci examplesPath, jsonl trainPath): a JSONL, JSON, CSV, Parquet or Arrow file, a shard folder or a dataset folder (a hub-cache datasets--org--name folder too)." };
        var option = new Option<string[]>("--option") { Description = "A dataset option, key=value (repeatable)." };
        var model = new Option<string?>("--model") { Description = "A model directory: adds token-length statistics with its tokenizer and chat template." };
        var template = new Option<string?>("--chat-template") { Description = "Chat template name when the model's cannot be recognised: " + string.Join(", ", ChatTemplate.Names) + "." };
        var maxLength = new Option<int>("--max-length") { Description = "Sequence limit for the over-length count.", DefaultValueFactory = _ => 1024 };
        var seed = new Option<int>("--seed") { Description = "Seed of seeded splits.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var plugins = CommonOptions.PluginPaths();
        var stats = new Command("stats", "Rows read, per split, rejected rows with reasons and, with --model, token-length statistics.") { dataset, path, option, model, template, maxLength, seed, json, plugins };
        stats.SetAction(parse => console.Guard(() =>
        {
            using var host = RetainHost.Build(CommonOptions.SearchPaths(parse.GetValue(plugins)));
            var reference = CommandLineComponents.Reference(host.Catalog, PluginKind.Dataset, parse.GetValue(dataset)!, parse.GetValue(path), parse.GetValue(option) ?? []);
            var instance = CommandLineComponents.Create<IDataset>(host, PluginKind.Dataset, reference);
            var splits = instance.Load(DatasetLoader.Context(host, DataLocator.Create([Environment.CurrentDirectory]), parse.GetValue(seed)));

            var report = new Dictionary<string, object?>
            {
                ["dataset"] = reference.Name,
                ["rowsRead"] = splits.Report.RowsRead,
                ["splits"] = new Dictionary<string, int> { ["train"] = splits.Train.Count, ["validation"] = splits.Validation.Count, ["test"] = splits.Test.Count },
                ["rejected"] = splits.Report.Rejected.Select(r => r.ToString()).ToList(),
                ["notes"] = splits.Report.Notes,
            };
            if (parse.GetValue(model) is { } modelOption)
            {
                var modelDirectory = ModelOptions.Resolve("--model", modelOption);
                var encoder = new ExampleEncoder(Tokenizer.Load(modelDirectory), ChatTemplate.Load(modelDirectory, parse.GetValue(template)), parse.GetValue(maxLength), OverLengthPolicy.Drop);
                report["tokens"] = new[] { ("train", splits.Train), ("validation", splits.Validation), ("test", splits.Test) }
                    .ToDictionary(s => s.Item1, s => TokenStatistics(encoder, s.Item2));
            }
            if (parse.GetValue(json)) console.Out.WriteLine(JsonSerializer.Serialize(report, CommonOptions.Json));
            else WriteText(console, report);
            return ExitCodes.Success;
        }));
        return new Command("data", "Inspect domain datasets.") { stats };
    }

    private static object TokenStatistics(ExampleEncoder encoder, IReadOnlyList<Example> examples)
    {
        var encoded = encoder.EncodeAll(examples);
        return new
        {
            prompt = LengthStatistics.Of(encoded.Examples.Select(e => e.PromptLength)),
            target = LengthStatistics.Of(encoded.Examples.Select(e => e.TargetLength)),
            total = LengthStatistics.Of(encoded.Examples.Select(e => e.Ids.Length)),
            overLength = encoded.Dropped.Count,
        };
    }

    private static void WriteText(CliConsole console, Dictionary<string, object?> report)
    {
        var splits = (Dictionary<string, int>)report["splits"]!;
        console.Out.WriteLine($"dataset {report["dataset"]}: {report["rowsRead"]} rows read; train {splits["train"]}, validation {splits["validation"]}, test {splits["test"]}.");
        var rejected = (List<string>)report["rejected"]!;
        console.Out.WriteLine($"rejected rows: {rejected.Count}");
        foreach (var row in rejected.Take(50)) console.Out.WriteLine("  " + row);
        if (rejected.Count > 50) console.Out.WriteLine($"  ... and {rejected.Count - 50} more (--json lists all)");
        foreach (var note in (List<string>)report["notes"]!) console.Out.WriteLine("note: " + note);
        if (report.TryGetValue("tokens", out var tokens) && tokens is not null)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(tokens, CommonOptions.Json));
        }
    }
}
