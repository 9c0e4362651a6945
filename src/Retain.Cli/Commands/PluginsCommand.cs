using System.CommandLine;
using System.Text.Json;
using Retain.Hosting;
using Retain.Hosting.Plugins;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary><c>retain plugins [--json] [--plugins DIR]...</c>: what plugin discovery finds.</summary>
public static class PluginsCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array of components (name, kind, roles, version, assembly, ...)." };
        var paths = CommonOptions.PluginPaths();
        var command = new Command("plugins", "List the plugins and components found, and plugins that failed to load.") { json, paths };
        command.SetAction(parse => console.Guard(() =>
        {
            using var host = RetainHost.Build(CommonOptions.SearchPaths(parse.GetValue(paths)));
            if (parse.GetValue(json)) WriteJson(console, host);
            else WriteTable(console, host.Catalog);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteJson(CliConsole console, RetainHost host)
    {
        var items = host.Catalog.Components.Select(c => new
        {
            name = c.Name,
            kind = KindName(c.Kind),
            roles = c.Descriptor.Roles,
            version = c.Plugin.Version,
            plugin = c.Plugin.Name,
            assembly = c.Plugin.AssemblyPath,
            description = c.Descriptor.Description,
            options = OptionsDescription.Of(c.Descriptor.OptionsType),
        });
        var failures = host.Catalog.Failures.Select(f => new { path = f.Path, reason = f.Reason });
        console.Out.WriteLine(JsonSerializer.Serialize(items, CommonOptions.Json));
        foreach (var failure in failures) console.Error.WriteLine($"warning: plugin {failure.path}: {failure.reason}");
    }

    private static void WriteTable(CliConsole console, PluginCatalog catalog)
    {
        var table = new Table().AddColumns("Name", "Kind", "Plugin", "Version", "Description", "Options (type = default: meaning)");
        foreach (var component in catalog.Components.OrderBy(c => c.Kind).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var kind = KindName(component.Kind) + (component.Descriptor.Roles.Count > 0 ? $" ({string.Join(", ", component.Descriptor.Roles)})" : "");
            var options = OptionsDescription.Of(component.Descriptor.OptionsType)
                .Select(o => $"{o.Name} ({o.Type}) = {o.DefaultText}" + (o.Description.Length > 0 ? $": {o.Description}" : ""))
                .ToList();
            table.AddRow(Markup.Escape(component.Name), Markup.Escape(kind), Markup.Escape(component.Plugin.Name), Markup.Escape(component.Plugin.Version),
                Markup.Escape(component.Descriptor.Description), Markup.Escape(options.Count == 0 ? "none" : string.Join("\n", options)));
        }
        var ansi = CommonOptions.Console(console);
        if (catalog.Components.Count == 0) ansi.WriteLine("No plugins found. Searched: " + string.Join(", ", catalog.SearchPaths));
        else ansi.Write(table);
        foreach (var failure in catalog.Failures)
        {
            console.Error.WriteLine($"warning: plugin {failure.Path}: {failure.Reason}");
        }
    }

    /// <summary>Kind names as configurations and JSON output spell them.</summary>
    public static string KindName(Retain.Plugins.PluginKind kind) => kind switch
    {
        Retain.Plugins.PluginKind.AnswerExtractor => "answer-extractor",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
