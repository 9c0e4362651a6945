using System.CommandLine;
using Retain.Data;
using Retain.Evaluation;

namespace Retain.Cli.Commands;

/// <summary><c>retain generate --model DIR --prompt TEXT --max-tokens N [--greedy | --temperature T --top-k K --top-p P --seed S] [--chat]</c>.</summary>
public static class GenerateCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var model = new ModelOptions();
        var prompt = new Option<string>("--prompt") { Description = "The prompt text.", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Tokens to generate at most.", DefaultValueFactory = _ => 128 };
        var greedy = new Option<bool>("--greedy") { Description = "Greedy decoding. Without --greedy or --temperature, the model's generation_config.json decides (sampling with its temperature, top_k (50 when it names none, as transformers), top_p and repetition_penalty when do_sample is true), else greedy." };
        var temperature = new Option<double?>("--temperature") { Description = "Sampling temperature (> 0)." };
        var topP = new Option<double>("--top-p") { Description = "Nucleus mass for sampling.", DefaultValueFactory = _ => 1.0 };
        var topK = new Option<int?>("--top-k") { HelpName = "K", Description = "Sample among the K most probable tokens only (ties with the K-th kept); 0 = off (the default unless generation_config.json samples)." };
        var seed = new Option<int>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable); generation ends before it." };
        var chat = new Option<bool>("--chat") { Description = "Wrap the prompt as a user message in the model's chat template." };
        var command = new Command("generate", "Generate a continuation of a prompt (KV-cache decoding; greedy or temperature/top-k/top-p sampling).") { prompt, maxTokens, greedy, temperature, topK, topP, seed, stop, chat };
        model.AddTo(command);
        command.SetAction(parse => console.Guard(() =>
        {
            if (parse.GetValue(greedy) && parse.GetValue(temperature) is not null) throw new UsageException("--greedy and --temperature exclude each other.");
            if (parse.GetValue(temperature) is <= 0) throw new UsageException("--temperature must be positive (use --greedy for greedy decoding).");
            if (parse.GetValue(maxTokens) < 1) throw new UsageException("--max-tokens must be at least 1.");
            if (parse.GetValue(topK) is < 0) throw new UsageException("--top-k must be 0 (off) or more.");
            bool modelDefaults = !parse.GetValue(greedy) && parse.GetValue(temperature) is null;
            using var loaded = model.Load(parse, generationDefaults: modelDefaults);
            double sampleTemperature = parse.GetValue(temperature) ?? 0, sampleTopP = parse.GetValue(topP);
            int sampleTopK = parse.GetValue(topK) ?? 0;
            if (modelDefaults && Kernel.Models.GenerationConfig.Load(loaded.Directory) is { } defaults && (defaults.DoSample || defaults.RepetitionPenalty != 1))
            {
                // As transformers' generate(): the authors' decoding settings unless the command line names others.
                if (defaults.DoSample)
                {
                    sampleTemperature = defaults.Temperature is > 0 ? defaults.Temperature.Value : 1;
                    if (parse.GetResult(topP) is null or { Implicit: true } && defaults.TopP is double p) sampleTopP = p;
                    // transformers' GenerationConfig defaults top_k to 50 when the file names none.
                    if (parse.GetValue(topK) is null) sampleTopK = defaults.TopK ?? 50;
                }
                string how = defaults.DoSample ? FormattableString.Invariant($"sampling with temperature {sampleTemperature}, top_k {sampleTopK}, top_p {sampleTopP}") : "greedy";
                console.Error.WriteLine(FormattableString.Invariant($"decoding as generation_config.json says: {how}, repetition_penalty {defaults.RepetitionPenalty} (--greedy or --temperature to choose)."));
            }
            var text = parse.GetValue(prompt)!;
            bool useChat = parse.GetValue(chat);
            if (useChat) text = loaded.RequireTemplate().Render([ChatMessage.User(text)], addGenerationPrompt: true);
            var settings = new GenerationSettings(parse.GetValue(maxTokens), parse.GetValue(stop) ?? [], sampleTemperature, sampleTopP, parse.GetValue(seed)) { TopK = sampleTopK };
            var addSpecial = !useChat || loaded.Template!.AddSpecialTokensWhenEncoding;
            var output = loaded.Language.Generate([new GenerationRequest(text, settings, addSpecial)]);
            console.Out.WriteLine(output[0]);
            return ExitCodes.Success;
        }));
        return command;
    }
}
