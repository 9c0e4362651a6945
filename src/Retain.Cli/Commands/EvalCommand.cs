using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Retain.Evaluation;
using Retain.Hosting;
using Retain.Hosting.Configuration;
using Retain.Hosting.Evaluation;
using Retain.Hosting.Plugins;
using Retain.Plugins;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary>
/// <c>retain eval --model DIR --benchmark NAME [--limit N] [--json]</c> runs a benchmark on a model;
/// <c>retain eval --benchmark NAME --responses FILE [--json]</c> scores responses produced elsewhere.
/// </summary>
public static class EvalCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var benchmark = new Option<string>("--benchmark") { Description = "Benchmark plugin name (see 'retain plugins').", Required = true };
        var model = new Option<string?>("--model") { Description = "A Hugging Face model directory to evaluate." };
        var responses = new Option<string?>("--responses") { Description = "JSONL of {\"doc_id\", \"response\"} produced elsewhere, scored instead of generating (generation benchmarks)." };
        var limit = new Option<int?>("--limit") { Description = "Evaluate at most N items (seeded subsample)." };
        var seed = new Option<int>("--seed") { Description = "Seed of subsampling and sampling.", DefaultValueFactory = _ => 1234 };
        var option = new Option<string[]>("--option") { Description = "A benchmark option, key=value (repeatable)." };
        var records = new Option<string?>("--records") { Description = "Write per-item records (prompt, response, extracted answer, verdict) to this JSONL file." };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not reuse or store cached results." };
        var device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var template = new Option<string?>("--chat-template") { Description = "Chat template name when the model's own is not recognised." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var plugins = CommonOptions.PluginPaths();
        var command = new Command("eval", "Run a general-capability benchmark on a model, or score responses produced elsewhere.")
            { benchmark, model, responses, limit, seed, option, records, noCache, device, template, json, plugins };
        command.SetAction(parse => console.Guard(() =>
        {
            var modelDirectory = parse.GetValue(model);
            var responseFile = parse.GetValue(responses);
            if ((modelDirectory is null) == (responseFile is null)) throw new UsageException("give exactly one of --model DIR (evaluate a model) and --responses FILE (score responses).");
            if (parse.GetValue(limit) is < 1) throw new UsageException("--limit must be at least 1.");

            using var host = RetainHost.Build(CommonOptions.SearchPaths(parse.GetValue(plugins)));
            var reference = CommandLineComponents.Reference(host.Catalog, PluginKind.Benchmark, parse.GetValue(benchmark)!, null, parse.GetValue(option) ?? []);
            var instance = CommandLineComponents.Create<IBenchmark>(host, PluginKind.Benchmark, reference);
            var runner = new BenchmarkRunner(RetainEnvironment.CacheRoot);
            var settings = new BenchmarkSettings
            {
                Data = DataLocator.Create([Environment.CurrentDirectory]),
                Limit = parse.GetValue(limit),
                Seed = parse.GetValue(seed),
                RecordsPath = parse.GetValue(records),
            };

            BenchmarkOutcome outcome;
            string subject;
            if (responseFile is not null)
            {
                var items = ResponseFile.Read(responseFile);
                outcome = runner.Score(instance, items, settings);
                subject = $"{items.Count} responses from {responseFile}";
            }
            else
            {
                using var loaded = Hosting.Models.LoadedModel.Load(ModelOptions.Resolve("--model", modelDirectory!), parse.GetValue(device)!, parse.GetValue(template));
                outcome = ProgressDisplay.Run(console, $"{reference.Name} on {loaded.Language.Name}", progress =>
                    runner.Run(instance, reference, loaded.Language, settings with { Progress = progress }, useCache: !parse.GetValue(noCache)));
                subject = loaded.Directory;
            }
            Write(console, outcome, subject, parse.GetValue(json));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Write(CliConsole console, BenchmarkOutcome outcome, string subject, bool json)
    {
        var result = outcome.Result;
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = result.Benchmark,
                subject,
                cached = outcome.FromCache,
                records = outcome.RecordsPath,
                metrics = result.Metrics.Select(m => new { name = m.Name, value = m.Value, stderr = double.IsFinite(m.StdErr) ? m.StdErr : (double?)null, count = m.Count }),
                notes = result.Notes,
            }, CommonOptions.Json));
            return;
        }
        var table = new Table().AddColumns("Metric", "Value", "Stderr", "Count");
        foreach (var metric in result.Metrics)
        {
            table.AddRow(Markup.Escape(metric.Name), metric.Value.ToString("0.0000", CultureInfo.InvariantCulture),
                double.IsFinite(metric.StdErr) ? metric.StdErr.ToString("0.0000", CultureInfo.InvariantCulture) : "–", metric.Count.ToString(CultureInfo.InvariantCulture));
        }
        var ansi = CommonOptions.Console(console);
        ansi.WriteLine($"{result.Benchmark} on {subject}{(outcome.FromCache ? " (cached)" : "")}");
        ansi.Write(table);
        foreach (var note in result.Notes) ansi.MarkupLine($"[yellow]note:[/] {Markup.Escape(note)}");
        if (outcome.RecordsPath is not null) ansi.WriteLine($"records: {outcome.RecordsPath}");
    }
}
