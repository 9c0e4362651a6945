using System.CommandLine;
using System.Text.Json;
using Retain.Kernel.Tokenization;

namespace Retain.Cli.Commands;

/// <summary><c>retain tokenize --tokenizer PATH --text TEXT [--json]</c>.</summary>
public static class TokenizeCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var tokenizer = new Option<string>("--tokenizer") { Description = "A tokenizer.json file or a model directory.", Required = true };
        var text = new Option<string>("--text") { Description = "The text to encode.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print {\"ids\": [...], \"tokens\": [...]}: the ids and the tokenizer's own pieces (▁c, <s>)." };
        var noSpecial = new Option<bool>("--no-special-tokens") { Description = "Do not add the special tokens (BOS) the tokenizer's configuration adds." };
        var command = new Command("tokenize", "Encode text with a Hugging Face tokenizer (special tokens added as the tokenizer's own configuration says).") { tokenizer, text, json, noSpecial };
        command.SetAction(parse => console.Guard(() =>
        {
            var path = parse.GetValue(tokenizer)!;
            if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"--tokenizer: no file or directory at {path}");
            var loaded = Tokenizer.Load(path);
            var ids = loaded.Encode(parse.GetValue(text)!, addSpecialTokens: !parse.GetValue(noSpecial));
            if (parse.GetValue(json))
            {
                var tokens = ids.Select(id => loaded.IdToToken(id) ?? loaded.Decode([id])).ToArray();
                console.Out.WriteLine(JsonSerializer.Serialize(new { ids, tokens }, CommonOptions.CompactJson));
            }
            else
            {
                foreach (var id in ids) console.Out.WriteLine($"{id}\t{CommonOptions.Piece(loaded, id)}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
