using System.Text;
using System.Text.RegularExpressions;
using ICSharpCode.SharpZipLib.BZip2;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>
/// lm-eval <c>hellaswag</c> (validation, 10042) rebuilt from klosax's text file (6 lines per task:
/// <c>activity_label: ctx</c>, the label, four endings; <c>.bz2</c> or plain). lm-eval's query is
/// clean(<c>activity_label + ": " + ctx_a + " " + capitalize(ctx_b)</c>); the file joins <c>ctx_a</c> and <c>ctx_b</c>,
/// so <c>ctx_b</c> is taken to be the text after the context's last sentence end (". ", "? ", "! "), or nothing when
/// the context ends a sentence, and capitalised as Python does. lm-eval's cleaning is then applied to the query and to
/// every ending (the file's own cleaning is a subset of it, so this is idempotent where they agree).
/// </summary>
[RetainComponent("hellaswag", Description = "HellaSwag 0-shot as lm-eval hellaswag: acc, acc_norm.", Options = typeof(ChoiceFileOptions))]
public sealed partial class HellaSwagBenchmark(ChoiceFileOptions options) : ChoiceBenchmark
{
    /// <inheritdoc />
    protected override string Name => "hellaswag";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => true;

    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context) =>
        Read(context.Data.Resolve(PathOr(options.DataPath, "general_mc/hellaswag/hellaswag_val_full.txt.bz2")));

    /// <summary>Reads klosax's 6-lines-per-task file.</summary>
    public static List<ChoiceItem> Read(string path)
    {
        var lines = ReadLines(path);
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0 || lines.Count % 6 != 0)
        {
            throw new DataException($"{path}: expected 6 lines per task (context, label, 4 endings) but the file has {lines.Count} lines.");
        }
        var items = new List<ChoiceItem>();
        for (int i = 0; i < lines.Count; i += 6)
        {
            if (!int.TryParse(lines[i + 1].Trim(), out int label) || label is < 0 or > 3)
            {
                throw new DataException($"{path}:{i + 2}: label '{lines[i + 1]}' is not 0-3.");
            }
            var endings = lines.GetRange(i + 2, 4).ConvertAll(Preprocess);
            items.Add(ChoiceItem.SharedContext(Query(lines[i]), endings, label));
        }
        return items;
    }

    /// <summary>lm-eval's query from the file's <c>activity_label: ctx</c> line.</summary>
    public static string Query(string line)
    {
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        string label = colon < 0 ? "" : line[..colon];
        string ctx = colon < 0 ? line : line[(colon + 2)..];
        var (ctxA, ctxB) = SplitContext(ctx);
        return Preprocess(label + ": " + ctxA + " " + PythonText.Capitalize(ctxB));
    }

    /// <summary>
    /// Splits a joined context into (ctx_a, ctx_b): ctx_b is the unfinished sentence at the end, i.e. the text after
    /// the last ". ", "? " or "! ", or the whole context when there is none; empty when the context ends a sentence.
    /// </summary>
    public static (string CtxA, string CtxB) SplitContext(string ctx)
    {
        string trimmed = PythonText.RStrip(ctx);
        if (trimmed.Length == 0 || trimmed[^1] is '.' or '?' or '!') return (trimmed, "");
        int cut = Math.Max(trimmed.LastIndexOf(". ", StringComparison.Ordinal),
                  Math.Max(trimmed.LastIndexOf("? ", StringComparison.Ordinal), trimmed.LastIndexOf("! ", StringComparison.Ordinal)));
        return cut < 0 ? ("", trimmed) : (trimmed[..(cut + 1)], trimmed[(cut + 2)..]);
    }

    /// <summary>lm-eval's <c>preprocess</c>: strip, " [title]" → ". ", drop bracketed spans, one pass of "  " → " ".</summary>
    public static string Preprocess(string text)
    {
        text = PythonText.Strip(text);
        text = text.Replace(" [title]", ". ", StringComparison.Ordinal);
        text = Bracketed().Replace(text, "");
        return text.Replace("  ", " ", StringComparison.Ordinal);
    }

    private static List<string> ReadLines(string path)
    {
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) ? new BZip2InputStream(file) : file;
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var lines = new List<string>();
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null) lines.Add(line);
        }
        catch (Exception e) when (e is DecoderFallbackException or ICSharpCode.SharpZipLib.SharpZipBaseException or IOException)
        {
            throw new DataException($"{path}: cannot be read as {(path.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase) ? "bzip2-compressed " : "")}UTF-8 text after line {lines.Count}: {e.Message}", e);
        }
        return lines;
    }

    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Bracketed();
}
