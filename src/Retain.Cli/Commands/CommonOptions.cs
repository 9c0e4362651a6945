using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Retain.Hosting.Plugins;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary>Options and helpers several verbs share.</summary>
public static class CommonOptions
{
    /// <summary>JSON output settings.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One-line JSON with the same rules (tokens such as <c>&lt;s&gt;</c> stay readable, not <c>\u003Cs\u003E</c>).</summary>
    public static JsonSerializerOptions CompactJson { get; } = new(Json) { WriteIndented = false };

    /// <summary>A token piece as the tokenizer's vocabulary spells it (<c>▁c</c>, <c>&lt;s&gt;</c>), quoted as JSON.</summary>
    public static string Piece(Retain.Kernel.Tokenization.Tokenizer tokenizer, int id)
        => JsonSerializer.Serialize(tokenizer.IdToToken(id) ?? tokenizer.Decode([id]), CompactJson);

    /// <summary><c>--plugins DIR</c>, repeatable: extra plugin folders searched first.</summary>
    public static Option<string[]> PluginPaths() => new("--plugins")
    {
        Description = "Extra plugin folder (repeatable); searched first, then a configuration's plugins.paths, RETAIN_PLUGIN_PATH, the user plugin folder and the plugins folder beside retain. The first copy of a plugin wins.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The search paths for <c>--plugins</c> values.</summary>
    public static IEnumerable<PluginSearchPath> SearchPaths(string[]? paths)
        => (paths ?? []).Select(p => new PluginSearchPath(p, "--plugins"));

    /// <summary>A Spectre console writing to the command's output (plain text when it is not a terminal).</summary>
    public static IAnsiConsole Console(CliConsole console)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = console.IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = console.IsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        // Files and pipes have no width; 80 columns would wrap every table cell.
        if (!console.IsTerminal) ansi.Profile.Width = 160;
        return ansi;
    }
}
