using System.CommandLine;
using System.Text.Json;
using Retain.Kernel.Inference;

namespace Retain.Cli.Commands;

/// <summary><c>retain score --model DIR --text TEXT [--context TEXT] --json</c>: per-token log-probabilities.</summary>
public static class ScoreCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var model = new ModelOptions();
        var text = new Option<string>("--text") { Description = "The text to score.", Required = true };
        var context = new Option<string?>("--context") { Description = "Conditioning text before --text (its tokens are listed, scored like the rest)." };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\": [...], \"logprobs\": [...], \"contextLength\": n}; logprobs[i] = log p(ids[i] | ids[<i]), null for the first token." };
        var command = new Command("score", "Per-token log-probabilities of a text under a model (special tokens added as the tokenizer says).") { text, context, json };
        model.AddTo(command);
        command.SetAction(parse => console.Guard(() =>
        {
            using var loaded = model.Load(parse);
            string contextText = parse.GetValue(context) ?? "", full = contextText + parse.GetValue(text);
            var ids = loaded.Tokenizer.Encode(full, addSpecialTokens: true);
            // Tokens before the text's own: the context's, or only the special prefix (BOS) without a context.
            int contextLength = contextText.Length == 0 ? loaded.Tokenizer.PrefixTokenIds.Count : loaded.Tokenizer.Encode(contextText, addSpecialTokens: true).Length;
            if (ids.Length > loaded.Language.MaxSequenceLength) throw new ArgumentException($"the text is {ids.Length} tokens; the model accepts {loaded.Language.MaxSequenceLength}.");
            var logprobs = new Scorer(loaded.Model).TokenLogProbs([ids])[0];
            var values = new double?[ids.Length];
            for (int i = 1; i < ids.Length; i++) values[i] = logprobs[i];
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new { ids, logprobs = values, contextLength }));
            }
            else
            {
                for (int i = 0; i < ids.Length; i++)
                    console.Out.WriteLine($"{ids[i]}\t{JsonSerializer.Serialize(loaded.Tokenizer.Decode([ids[i]]))}\t{(values[i] is { } v ? v.ToString("F6", System.Globalization.CultureInfo.InvariantCulture) : "-")}");
                console.Out.WriteLine($"total log-probability: {values.Sum(v => v ?? 0):F6}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
