using System.CommandLine;
using System.Text.Json.Nodes;
using Retain.Hosting.Configuration;
using Retain.Hosting.Runs;

namespace Retain.Cli.Commands;

/// <summary>
/// <c>retain quickstart [--out DIR]</c>: the shipped sweep (assets/quickstart.json: stories260K on the pet-facts task,
/// standard SFT and TALR × 3 learning rates × 3 seeds, domain exact match and the continuation general metric), then
/// the report with its verdict. The default output folder, <c>retain-quickstart/</c>, is git-ignored in a checkout.
/// </summary>
public static class QuickstartCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--out") { Description = "Output directory.", DefaultValueFactory = _ => "retain-quickstart" };
        var set = ConfigCommand.SetOption();
        var plugins = CommonOptions.PluginPaths();
        var command = new Command("quickstart", "Fine-tune the shipped stories260K model on a small shipped domain set across learning rates and strategies, and write the report (a few minutes on 2 CPU cores).") { output, set, plugins };
        command.SetAction(parse => console.Guard(() =>
        {
            var directory = Path.GetFullPath(parse.GetValue(output)!);
            Directory.CreateDirectory(directory);
            var config = WriteConfig(directory);
            console.Out.WriteLine($"Configuration: {config} (a template for your own sweeps)");
            var bound = BoundRunConfig.Bind(ConfigurationLoader.Load(config, parse.GetValue(set)));
            bound.CommandLinePlugins = CommonOptions.SearchPaths(parse.GetValue(plugins)).ToList();
            var outcome = RunCommand.Execute(console, bound, new SweepOptions());
            RunCommand.PrintSummary(console, outcome);
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Copies the shipped configuration into <paramref name="directory"/> with absolute paths to the shipped model.</summary>
    private static string WriteConfig(string directory)
    {
        var assets = Path.Combine(AppContext.BaseDirectory, "assets");
        var template = Path.Combine(assets, "quickstart.json");
        if (!File.Exists(template)) throw new FileNotFoundException($"the shipped quickstart configuration is missing: {template}; rebuild the CLI.", template);
        var json = JsonNode.Parse(File.ReadAllText(template))!.AsObject();
        json["model"] = Path.Combine(assets, json["model"]!.GetValue<string>());
        json["output"] = directory;
        var path = Path.Combine(directory, "quickstart.json");
        File.WriteAllText(path, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return path;
    }
}
