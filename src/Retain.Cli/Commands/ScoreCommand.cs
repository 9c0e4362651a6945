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
        var context = new Option<string?>("--context") { Description = "Conditioning text before --text (its tokens are listed and scored; the continuation's total is reported apart)." };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\", \"tokens\", \"logprobs\", \"contextLength\", \"contextLogprob\", \"continuationLogprob\"}; logprobs[i] = log p(ids[i] | ids[<i]), null for the first token; the continuation is ids[contextLength..]." };
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
            double contextLogprob = values.Take(contextLength).Sum(v => v ?? 0), continuationLogprob = values.Skip(contextLength).Sum(v => v ?? 0);
            if (parse.GetValue(json))
            {
                var tokens = ids.Select(id => loaded.Tokenizer.IdToToken(id) ?? loaded.Tokenizer.Decode([id])).ToArray();
                console.Out.WriteLine(JsonSerializer.Serialize(new { ids, tokens, logprobs = values, contextLength, contextLogprob, continuationLogprob }, CommonOptions.CompactJson));
            }
            else
            {
                var invariant = System.Globalization.CultureInfo.InvariantCulture;
                for (int i = 0; i < ids.Length; i++)
                    console.Out.WriteLine($"{ids[i]}\t{CommonOptions.Piece(loaded.Tokenizer, ids[i])}\t{(values[i] is { } v ? v.ToString("F6", invariant) : "-")}{(i == contextLength - 1 && contextText.Length > 0 ? "\t(end of context)" : "")}");
                if (contextText.Length > 0) console.Out.WriteLine(string.Create(invariant, $"context log-probability: {contextLogprob:F6} ({contextLength} tokens)"));
                console.Out.WriteLine(string.Create(invariant, $"{(contextText.Length > 0 ? "continuation" : "total")} log-probability: {continuationLogprob:F6} ({ids.Length - contextLength} tokens)"));
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
