using System.Globalization;
using System.Net;
using System.Text;
using Retain.Data;
using Retain.Hosting.Data;
using Retain.Hosting.Models;
using Retain.Hosting.Reports;
using Retain.Hosting.Reports.Figures;
using Retain.Hosting.Reports.Summaries;
using Retain.Kernel.Inference;

namespace Retain.Hosting.Analysis;

/// <summary>The probabilities a model assigns to each target token of each example.</summary>
/// <param name="Model">Model label.</param>
/// <param name="Examples">Per example: its id, the target token texts and their probabilities.</param>
public sealed record TokenProbabilities(string Model, IReadOnlyList<ExampleTokens> Examples)
{
    /// <summary>All token probabilities.</summary>
    public IEnumerable<double> All => Examples.SelectMany(e => e.Probabilities);
}

/// <summary>One example's target tokens.</summary>
public sealed record ExampleTokens(string Id, IReadOnlyList<string> Tokens, IReadOnlyList<double> Probabilities);

/// <summary>Summary of one model's token probabilities.</summary>
/// <param name="Model">Model label.</param>
/// <param name="Examples">Examples.</param>
/// <param name="Tokens">Target tokens.</param>
/// <param name="Mean">Mean probability.</param>
/// <param name="Q1">First quartile.</param>
/// <param name="Median">Median.</param>
/// <param name="Q3">Third quartile.</param>
/// <param name="EasyFraction">Share of tokens with p ≥ threshold.</param>
/// <param name="LowPerExample">s: expected number of tokens with p &lt; threshold per example (paper, Theorem 3.2).</param>
public sealed record TokenSummary(string Model, int Examples, int Tokens, double Mean, double Q1, double Median, double Q3, double EasyFraction, double LowPerExample);

/// <summary>
/// The paper's token-level analysis (§4.3): how likely a model finds the training targets (Figure 3b box plots),
/// one example's tokens coloured by probability (Figure 3a), the share of easy tokens per epoch from run logs
/// (Figure 3c), and s — the expected number of low-probability tokens per example, which Theorem 3.2 ties to the
/// largest safe step size (λ_max ∝ ε/√s), so datasets (e.g. CoT vs label-only targets) can be compared before
/// choosing a learning rate.
/// </summary>
public static class TokenAnalysis
{
    /// <summary>Scores the targets of <paramref name="examples"/> (teacher forcing: p(x_t | prompt, x_&lt;t)).</summary>
    public static TokenProbabilities Measure(LoadedModel model, ExampleEncoder encoder, IReadOnlyList<Example> examples, string label)
    {
        var encoded = encoder.EncodeAll(examples);
        var scorer = new Scorer(model.Model);
        var result = new List<ExampleTokens>();
        foreach (var chunk in encoded.Examples.Chunk(16))
        {
            var logprobs = scorer.TokenLogProbs(chunk.Select(e => e.Ids).ToList());
            for (int c = 0; c < chunk.Length; c++)
            {
                var e = chunk[c];
                var tokens = new List<string>();
                var probabilities = new List<double>();
                var supervised = e.Supervision();
                for (int t = Math.Max(1, e.PromptLength); t < e.Ids.Length; t++)
                {
                    if (!supervised[t]) continue;
                    tokens.Add(model.Tokenizer.Decode([e.Ids[t]]));
                    probabilities.Add(Math.Exp(logprobs[c][t]));
                }
                result.Add(new ExampleTokens(examples[e.ExampleIndex].Id, tokens, probabilities));
            }
        }
        return new TokenProbabilities(label, result);
    }

    /// <summary>Summary statistics with <paramref name="threshold"/> separating easy from low-probability tokens.</summary>
    public static TokenSummary Summarize(TokenProbabilities measured, double threshold)
    {
        var all = measured.All.Order().ToArray();
        if (all.Length == 0) return new TokenSummary(measured.Model, measured.Examples.Count, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new TokenSummary(measured.Model, measured.Examples.Count, all.Length, all.Average(),
            BoxSummary.Quantile(all, 0.25), BoxSummary.Quantile(all, 0.5), BoxSummary.Quantile(all, 0.75),
            all.Count(p => p >= threshold) / (double)all.Length,
            measured.Examples.Average(e => e.Probabilities.Count(p => p < threshold)));
    }

    /// <summary>Per run and epoch, the mean share of easy tokens logged during training (<c>tokens/easy_fraction</c>).</summary>
    public static Dictionary<string, List<(int Epoch, double Fraction)>> EasyFractionByEpoch(IEnumerable<string> runDirectories)
    {
        var result = new Dictionary<string, List<(int, double)>>();
        foreach (var run in runDirectories)
        {
            var records = SweepResults.ReadMetrics(Path.Combine(run, "metrics.jsonl"));
            if (records.Count == 0) throw new FileNotFoundException($"no training log in {run} (expected metrics.jsonl written by 'retain run').");
            result[Path.GetFileName(Path.GetFullPath(run).TrimEnd(Path.DirectorySeparatorChar))] = records
                .Where(r => r.Values.ContainsKey("tokens/easy_fraction") && r.Values.ContainsKey("epoch"))
                .GroupBy(r => (int)r.Values["epoch"])
                .OrderBy(g => g.Key)
                .Select(g => (g.Key + 1, g.Average(r => r.Values["tokens/easy_fraction"])))
                .ToList();
        }
        return result;
    }

    /// <summary>Writes <c>token-analysis.html</c> (box plots, heatmap, epochs chart, table), <c>token-analysis.md</c> and the charts as PNG.</summary>
    public static (string Html, string Markdown) Write(string directory, IReadOnlyList<TokenProbabilities> models, double threshold,
        IReadOnlyDictionary<string, List<(int Epoch, double Fraction)>>? epochs)
    {
        Directory.CreateDirectory(directory);
        var summaries = models.Select(m => Summarize(m, threshold)).ToList();
        var box = new Chart("Probability of training-target tokens", "", "p(token | prompt, previous tokens)") { Legend = false };
        box.Boxes(models.Select(m => BoxSummary.Of(m.Model, m.All)).ToList());
        box.Plot.Axes.SetLimits(-0.5, models.Count - 0.5, -0.02, 1.02);
        box.SavePng(Path.Combine(directory, "token-probabilities.png"));
        string? epochChart = null;
        if (epochs is { Count: > 0 })
        {
            var chart = new Chart($"Share of target tokens with p ≥ {threshold.ToString(CultureInfo.InvariantCulture)} during training", "Epoch", "Share of tokens");
            int index = 0;
            foreach (var (run, points) in epochs)
            {
                var line = chart.Line(points.Select(p => (double)p.Epoch).ToList(), points.Select(p => p.Fraction).ToList(), FigureStyle.Colour(index), legend: run);
                line.MarkerShape = ScottPlot.MarkerShape.FilledCircle;
                line.MarkerSize = 7;
                index++;
            }
            // Epochs are whole numbers: one tick each; shares span [0, 1].
            var epochNumbers = epochs.Values.SelectMany(v => v).Select(p => p.Epoch).Distinct().Order().ToArray();
            if (epochNumbers.Length > 0) chart.Plot.Axes.SetLimits(epochNumbers[0] - 0.5, epochNumbers[^1] + 0.5, -0.02, 1.02);
            chart.Plot.Axes.Bottom.SetTicks(epochNumbers.Select(e => (double)e).ToArray(), epochNumbers.Select(e => e.ToString(CultureInfo.InvariantCulture)).ToArray());
            epochChart = ReportWriter.Inline(chart.ToSvg(), "epochs");
            chart.SavePng(Path.Combine(directory, "easy-tokens-by-epoch.png"));
        }

        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Token analysis</title><style>")
            .Append("body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("td:first-child{text-align:left}.tokens{font-family:monospace;line-height:1.9;white-space:pre-wrap}.tokens span{padding:1px 0;border-radius:2px}")
            .Append("</style></head><body><h1>Token-level analysis</h1>");
        html.Append($"<p>Threshold: {threshold.ToString(CultureInfo.InvariantCulture)}. <b>s</b> is the expected number of target tokens per example with probability below it (the paper's Theorem 3.2: the largest safe step size scales as ε/√s).</p>");
        html.Append(Table(summaries, threshold));
        html.Append("<h2>Token probabilities (Figure 3b)</h2>").Append(ReportWriter.Inline(box.ToSvg(), "token-probabilities"));
        if (epochChart is not null) html.Append("<h2>Easy tokens per epoch (Figure 3c)</h2>").Append(epochChart);
        foreach (var m in models)
        {
            var example = m.Examples.FirstOrDefault();
            if (example is null) continue;
            html.Append($"<h2>One example under {WebUtility.HtmlEncode(m.Model)} (Figure 3a): {WebUtility.HtmlEncode(example.Id)}</h2><div class=\"tokens\">");
            for (int t = 0; t < example.Tokens.Count; t++)
            {
                double p = example.Probabilities[t];
                html.Append($"<span style=\"background:{Color(p)}\" title=\"p = {p.ToString("0.0000", CultureInfo.InvariantCulture)}\">{WebUtility.HtmlEncode(example.Tokens[t])}</span>");
            }
            html.Append("</div><p>Red: low probability; green: high.</p>");
        }
        html.Append("</body></html>");
        var htmlPath = Path.Combine(directory, "token-analysis.html");
        File.WriteAllText(htmlPath, html.ToString());

        var md = new StringBuilder("# Token-level analysis\n\n");
        md.Append($"Threshold {threshold.ToString(CultureInfo.InvariantCulture)}; s = expected number of target tokens per example below it.\n\n");
        md.Append("| Model | Examples | Tokens | Mean p | Q1 | Median | Q3 | Share ≥ threshold | s |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var s in summaries)
        {
            md.Append(string.Create(CultureInfo.InvariantCulture, $"| {s.Model} | {s.Examples} | {s.Tokens} | {s.Mean:0.0000} | {s.Q1:0.0000} | {s.Median:0.0000} | {s.Q3:0.0000} | {s.EasyFraction:0.0000} | {s.LowPerExample:0.00} |\n"));
        }
        var mdPath = Path.Combine(directory, "token-analysis.md");
        File.WriteAllText(mdPath, md.ToString());
        return (htmlPath, mdPath);
    }

    private static string Table(IReadOnlyList<TokenSummary> summaries, double threshold)
    {
        var text = new StringBuilder("<table><tr><th>Model</th><th>Examples</th><th>Tokens</th><th>Mean p</th><th>Q1</th><th>Median</th><th>Q3</th>")
            .Append($"<th>Share ≥ {threshold.ToString(CultureInfo.InvariantCulture)}</th><th>s</th></tr>");
        foreach (var s in summaries)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{WebUtility.HtmlEncode(s.Model)}</td><td>{s.Examples}</td><td>{s.Tokens}</td><td>{s.Mean:0.0000}</td><td>{s.Q1:0.0000}</td><td>{s.Median:0.0000}</td><td>{s.Q3:0.0000}</td><td>{s.EasyFraction:0.0000}</td><td>{s.LowPerExample:0.00}</td></tr>"));
        }
        return text.Append("</table>").ToString();
    }

    /// <summary>Red (p = 0) through yellow to green (p = 1).</summary>
    private static string Color(double p)
    {
        p = Math.Clamp(p, 0, 1);
        int r = p < 0.5 ? 255 : (int)(255 * (1 - p) * 2);
        int g = p < 0.5 ? (int)(255 * p * 2) : 255;
        return $"rgba({r},{g},80,0.45)";
    }
}
