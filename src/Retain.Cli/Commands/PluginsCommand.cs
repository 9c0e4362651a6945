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
        // Plugins that could not be used were reported on standard error when the host was built.
        console.Out.WriteLine(JsonSerializer.Serialize(items, CommonOptions.Json));
    }

    private static void WriteTable(CliConsole console, PluginCatalog catalog)
    {
        var sorted = catalog.Components.OrderBy(c => c.Kind).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        var table = new Table().AddColumns("Name", "Kind", "Plugin", "Version", "Description");
        var options = new Table().AddColumns("Component", "Option", "Type", "Default", "Description");
        foreach (var component in sorted)
        {
            var kind = KindName(component.Kind) + (component.Descriptor.Roles.Count > 0 ? $" ({string.Join(", ", component.Descriptor.Roles)})" : "");
            table.AddRow(Markup.Escape(component.Name), Markup.Escape(kind), Markup.Escape(component.Plugin.Name), Markup.Escape(component.Plugin.Version), Markup.Escape(component.Descriptor.Description));
            bool first = true;
            foreach (var option in OptionsDescription.Of(component.Descriptor.OptionsType))
            {
                options.AddRow(first ? Markup.Escape($"{component.Name} ({KindName(component.Kind)})") : "", Markup.Escape(option.Name), Markup.Escape(option.Type), Markup.Escape(option.DefaultText), Markup.Escape(option.Description));
                first = false;
            }
        }
        var ansi = CommonOptions.Console(console);
        if (catalog.Components.Count == 0) ansi.WriteLine("No plugins found. Searched: " + string.Join(", ", catalog.SearchPaths));
        else
        {
            ansi.Write(table);
            ansi.WriteLine();
            ansi.WriteLine("Options (set them under \"options\" where a configuration names the component):");
            ansi.Write(options);
        }
    }

    /// <summary>Kind names as configurations and JSON output spell them.</summary>
    public static string KindName(Retain.Plugins.PluginKind kind) => kind switch
    {
        Retain.Plugins.PluginKind.AnswerExtractor => "answer-extractor",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
