using System.CommandLine;
using Retain.Hosting.Models;
using Retain.Kernel;
using Retain.Kernel.Chat;
using Retain.Kernel.Models;

namespace Retain.Cli.Commands;

/// <summary>The options that load a model: <c>--model DIR [--device cpu|cuda] [--chat-template NAME]</c>.</summary>
public sealed class ModelOptions
{
    /// <summary>--model.</summary>
    public Option<string> Model { get; } = new("--model") { Description = "A Hugging Face model directory (config.json, *.safetensors, tokenizer.json), or a hub-cache folder models--org--name[@revision].", Required = true };

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
    public LoadedModel Load(ParseResult parse, bool generationDefaults = false)
    {
        var directory = Resolve("--model", parse.GetValue(Model)!);
        return LoadedModel.Load(directory, parse.GetValue(Device)!, parse.GetValue(Template), generationDefaults: generationDefaults);
    }

    /// <summary>The model folder an option names (a plain folder, or a hub-cache folder with an optional @revision); a bad one is a usage error.</summary>
    public static string Resolve(string option, string value)
    {
        try
        {
            return ModelSource.Resolve(value);
        }
        catch (ModelFormatException e)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }
}
