using System.CommandLine;
using Retain.Data;
using Retain.Evaluation;

namespace Retain.Cli.Commands;

/// <summary><c>retain generate --model DIR --prompt TEXT --max-tokens N [--greedy | --temperature T --top-p P --seed S] [--chat]</c>.</summary>
public static class GenerateCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var model = new ModelOptions();
        var prompt = new Option<string>("--prompt") { Description = "The prompt text.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 128 };
        var greedy = new Option<bool>("--greedy") { Description = "Greedy decoding (the default unless --temperature is given)." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature (> 0)." };
        var topP = new Option<double>("--top-p") { Description = "Nucleus mass for sampling.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable); generation ends before it." };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user message in the model's chat template." };
        var command = new Command("generate", "Generate a continuation of a prompt (KV-cache decoding; greedy or temperature/top-p sampling).") { prompt, maxTokens, greedy, temperature, topP, seed, stop, chat };
        model.AddTo(command);
        command.SetAction(parse => console.Guard(() =>
        {
            if (parse.GetValue(greedy) && parse.GetValue(temperature) is not null) throw new UsageException("--greedy and --temperature exclude each other.");
            if (parse.GetValue(temperature) is <= 0) throw new UsageException("--temperature must be positive (use --greedy for greedy decoding).");
            if (parse.GetValue(maxTokens) < 1) throw new UsageException("--max-tokens must be at least 1.");
            using var loaded = model.Load(parse);
            var text = parse.GetValue(prompt)!;
            bool useChat = parse.GetValue(chat);
            if (useChat) text = loaded.RequireTemplate().Render([ChatMessage.User(text)], addGenerationPrompt: true);
            var settings = new GenerationSettings(parse.GetValue(maxTokens), parse.GetValue(stop) ?? [], parse.GetValue(temperature) ?? 0, parse.GetValue(topP), parse.GetValue(seed));
            var addSpecial = !useChat || loaded.Template!.AddSpecialTokensWhenEncoding;
            var output = loaded.Language.Generate([new GenerationRequest(text, settings, addSpecial)]);
            console.Out.WriteLine(output[0]);
            return ExitCodes.Success;
        }));
        return command;
    }
}
