using System.CommandLine;
using Retain.Hosting.Models;
using Retain.Kernel.Chat;

namespace Retain.Cli.Commands;

/// <summary>The options that load a model: <c>--model DIR [--device cpu|cuda] [--chat-template NAME]</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>--model.</summary>
    public Option<string> Model { get; } = new("--model") { Description = "A Hugging Face model directory (config.json, *.safetensors, tokenizer.json).", Required = true };

    /// <summary>--device.</summary>
    public Option<string> Device { get; } = new("--device") { Description = "cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };

    /// <summary>--chat-template.</summary>
    public Option<string?> Template { get; } = new("--chat-template") { Description = "Chat template when the model's own is not recognised: " + string.Join(", ", ChatTemplate.Names) + "." };

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Device);
        command.Options.Add(Template);
    }

    /// <summary>Loads the model the options name.</summary>
    public LoadedModel Load(ParseResult parse)
    {
        var directory = parse.GetValue(Model)!;
        if (!Directory.Exists(directory)) throw new UsageException($"--model: no directory at {directory}");
        return LoadedModel.Load(directory, parse.GetValue(Device)!, parse.GetValue(Template));
    }
}
