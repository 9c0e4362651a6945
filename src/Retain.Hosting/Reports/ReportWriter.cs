using System.Globalization;
using System.Net;
using System.Text;
using Retain.Hosting.Reports.Figures;
using Retain.Hosting.Reports.Summaries;

namespace Retain.Hosting.Reports;

/// <summary>One point of the trade-off: a checkpoint with its domain and general score; <see cref="Key"/> names its answers in <see cref="SweepResults.Answers"/>.</summary>
public sealed record TradeoffPoint(string Method, double LearningRate, int Seed, double Domain, double General, string Run)
{
    /// <summary>The checkpoint's scores.</summary>
    public ModelScores Scores { get; init; } = new();

    /// <summary>The run name, or <c>run (label)</c> for a merged candidate.</summary>
    public string Key { get; init; } = Run;
}

/// <summary>
/// Writes a sweep's <c>report.md</c> and a self-contained <c>report.html</c> (figures inline), plus the figures as
/// SVG and PNG files under <c>figures/</c>. The report opens with a verdict computed from the data (the
/// Pareto-optimal points and what the sweep says about the paper's two findings, given the standard errors over
/// seeds), then the baselines (Init, the constant answer, chance, checkpoints that answer one string, flat validation
/// curves), the tables (mean ± standard error over seeds; per-seed values with binomial standard errors) and the figures.
/// </summary>
public static class ReportWriter
{
    /// <summary>The files written.</summary>
    public sealed record Output(string Markdown, string Html, IReadOnlyList<string> Figures);

    /// <summary>Writes the report into <see cref="SweepResults.Directory"/>.</summary>
    public static Output Write(SweepResults results)
    {
        var figures = ReportFigures.Of(results);
        var figureDirectory = Path.Combine(results.Directory, "figures");
        Directory.CreateDirectory(figureDirectory);
        var figurePaths = new List<string>();
        var svgs = new List<(Figure Figure, string Svg)>();
        foreach (var figure in figures)
        {
            var svg = figure.Chart.ToSvg();
            var path = Path.Combine(figureDirectory, figure.Name + ".svg");
            WriteAtomically(path, svg);
            figurePaths.Add(path);
            var png = Path.Combine(figureDirectory, figure.Name + ".png");
            figure.Chart.SavePng(png + ".tmp.png");
            File.Move(png + ".tmp.png", png, overwrite: true);
            svgs.Add((figure, svg));
        }
        var markdown = Path.Combine(results.Directory, "report.md");
        WriteAtomically(markdown, Markdown(results, figures));
        var html = Path.Combine(results.Directory, "report.html");
        WriteAtomically(html, Html(results, svgs));
        return new Output(markdown, html, figurePaths);
    }

    /// <summary>Every completed checkpoint (merge candidates included) with both scores.</summary>
    public static IReadOnlyList<TradeoffPoint> Points(SweepResults results)
    {
        var points = new List<TradeoffPoint>();
        foreach (var run in results.Runs.Where(r => r.Status == "completed"))
        {
            if (run.Scores is { Domain: { } d, General: { } g }) points.Add(new TradeoffPoint(run.Method, run.LearningRate, run.Seed, d, g, run.Run) { Scores = run.Scores });
            foreach (var candidate in run.Candidates)
            {
                if (candidate.Scores is { Domain: { } cd, General: { } cg })
                    points.Add(new TradeoffPoint($"{run.Method} ({candidate.Label})", run.LearningRate, run.Seed, cd, cg, run.Run) { Scores = candidate.Scores, Key = $"{run.Run} ({candidate.Label})" });
            }
        }
        return points;
    }

    /// <summary>The verdict of a sweep's results.</summary>
    public static Verdict VerdictOf(SweepResults results) => Verdict.Of(SweepCell.Of(Points(results)), results.Init);

    /// <summary>
    /// The baselines and flags as report lines: the Init point (with its binomial SE), the constant answer (the test
    /// set's most frequent reference) and chance, checkpoints whose answers are ≥ 90 % one string, and runs selected
    /// on a flat validation curve.
    /// </summary>
    public static IReadOnlyList<string> Baselines(SweepResults results)
    {
        var lines = new List<string>();
        if (results.Init is { } init)
        {
            lines.Add($"Init (the model before fine-tuning): domain {ReportTables.WithBinomial(init)}, general {F(init.General)}"
                      + (results.Answers.GetValueOrDefault("init") is { } initShare ? $"; its most frequent answer is {initShare.Describe()}." : "."));
        }
        else lines.Add("The initial model was not evaluated, so there is no Init point.");
        if (results.References is { } refs)
        {
            lines.Add($"Constant answer: answering '{refs.Answer}' (the test set's most frequent reference) to every item scores {refs.Share.ToString("0.0000", CultureInfo.InvariantCulture)} "
                      + $"(± {Estimate.Binomial(refs.Share, refs.Count).ToString("0.0000", CultureInfo.InvariantCulture)}); chance, guessing uniformly among the {refs.Distinct} distinct reference answers, "
                      + $"scores {(1.0 / refs.Distinct).ToString("0.0000", CultureInfo.InvariantCulture)}.");
        }
        var constant = Points(results).Select(p => (p, Share: results.Answers.GetValueOrDefault(p.Key))).Where(x => x.Share is { IsConstant: true }).ToList();
        lines.Add(constant.Count == 0
            ? "No selected checkpoint gives one answer to 90% or more of the test items."
            : "Constant answers (≥ 90% one string): " + string.Join("; ", constant.Select(x => $"{x.p.Key} answers {x.Share!.Describe()}")) + ".");
        var flat = results.Runs.Where(r => r.Selection is { Flat: true }).ToList();
        lines.Add(flat.Count == 0
            ? "No run was selected on a flat validation curve."
            : "Flat validation (every validation point tied, so the tie rule picked the earliest step and the curve gave no signal): "
              + string.Join(", ", flat.Select(r => $"{r.Run} ({r.Selection!.Validations} points at {F(r.Scores.Validation)})")) + ".");
        foreach (var run in results.Runs.Where(r => r.Status != "completed")) lines.Add($"Run {run.Run} {run.Status}: {run.Error}");
        var excluded = results.Init?.Excluded ?? [];
        if (results.Init is { General: null } && excluded.Count > 0 && excluded.Count >= results.Init.Benchmarks.Count)
        {
            // Appendix C.3 leaves out every benchmark the initial model scores below the threshold; when that is all
            // of them there is no general score, and the domain-vs-general figures have no points.
            lines.Add($"No general score: the initial model scored below the threshold (General.Threshold) on every benchmark ({string.Join(", ", excluded)}), "
                + "so the general score and the domain-vs-general figures are left empty. Lower the threshold or add benchmarks the initial model can do.");
        }
        else if (excluded.Count > 0) lines.Add($"Excluded from the general score because the initial model scored below the threshold: {string.Join(", ", excluded)}.");
        if (results.Init?.Details.ContainsKey(ReportTables.StoryLogLikelihood) == true)
            lines.Add("General scores: 'continuation' is relative (1 = the Init model's own likelihood of its sampled stories); NLL/token is absolute (nats per token of the same stories, lower is better).");
        return lines;
    }

    private static string Markdown(SweepResults results, IReadOnlyList<Figure> figures)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Sweep report: {results.Name}").AppendLine();
        foreach (var (key, value) in results.Facts.Where(f => f.Key != "name")) md.AppendLine($"- **{key}**: {value}");
        md.AppendLine().AppendLine("## Verdict").AppendLine();
        foreach (var line in VerdictOf(results).Lines()) md.AppendLine("- " + line);
        md.AppendLine().AppendLine($"*{VerdictRule}*").AppendLine();
        md.AppendLine("## Baselines").AppendLine();
        foreach (var line in Baselines(results)) md.AppendLine("- " + line);
        md.AppendLine().AppendLine("## Domain and general scores (mean ± standard error over seeds)").AppendLine();
        md.AppendLine(ToMarkdown(ReportTables.Cells(results))).AppendLine();
        md.AppendLine("## By method and learning rate (as the paper's Tables 1–2)").AppendLine();
        md.AppendLine(ToMarkdown(ReportTables.Pivot(results))).AppendLine();
        md.AppendLine("## Per-seed values").AppendLine();
        md.AppendLine(ToMarkdown(ReportTables.PerSeed(results))).AppendLine();
        md.AppendLine("## Figures").AppendLine();
        foreach (var figure in figures) md.AppendLine($"![{figure.Name}](figures/{figure.Name}.svg)").AppendLine().AppendLine($"*{figure.Caption}*").AppendLine();
        return md.ToString();
    }

    /// <summary>How the verdict decides, printed under it.</summary>
    public const string VerdictRule = "A difference counts when it exceeds twice its standard error over seeds; one point is better than another when it is clearly better on one score and not clearly worse on the other.";

    private static string Html(SweepResults results, IReadOnlyList<(Figure Figure, string Svg)> figures)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>Retain sweep report: {E(results.Name)}</title>");
        html.AppendLine("<style>body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;color:#222;padding:0 16px}"
                        + "table{border-collapse:collapse;margin:12px 0;font-size:13px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                        + "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}figure{margin:20px 0}figcaption{color:#555;font-size:13px;max-width:780px}"
                        + ".verdict{background:#f7f7f2;border-left:4px solid #888;padding:8px 16px}</style></head><body>");
        html.AppendLine($"<h1>Sweep report: {E(results.Name)}</h1><ul>");
        foreach (var (key, value) in results.Facts.Where(f => f.Key != "name")) html.AppendLine($"<li><b>{E(key)}</b>: {E(value)}</li>");
        html.AppendLine("</ul><h2>Verdict</h2><div class=\"verdict\"><ul>");
        foreach (var line in VerdictOf(results).Lines()) html.AppendLine($"<li>{E(line)}</li>");
        html.AppendLine($"</ul><p><i>{E(VerdictRule)}</i></p></div><h2>Baselines</h2><ul>");
        foreach (var line in Baselines(results)) html.AppendLine($"<li>{E(line)}</li>");
        html.AppendLine("</ul><h2>Domain and general scores (mean ± standard error over seeds)</h2>");
        html.AppendLine(ToHtml(ReportTables.Cells(results)));
        html.AppendLine("<h2>By method and learning rate (as the paper's Tables 1–2)</h2>");
        html.AppendLine(ToHtml(ReportTables.Pivot(results)));
        html.AppendLine("<details><summary><b>Per-seed values</b> (domain with its binomial standard error)</summary>");
        html.AppendLine(ToHtml(ReportTables.PerSeed(results)));
        html.AppendLine("</details><h2>Figures</h2>");
        foreach (var (figure, svg) in figures) html.AppendLine($"<figure id=\"{figure.Name}\">{Inline(svg, figure.Name)}<figcaption>{E(figure.Caption)}</figcaption></figure>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    /// <summary>
    /// An SVG ready to inline: without its XML declaration, and with its element ids (ScottPlot's clip paths) prefixed
    /// by the figure's name, since ids are global to the HTML page and every figure numbers its clip paths from 1.
    /// </summary>
    public static string Inline(string svg, string name)
    {
        if (svg.StartsWith("<?xml", StringComparison.Ordinal)) svg = svg[(svg.IndexOf("?>", StringComparison.Ordinal) + 2)..];
        svg = System.Text.RegularExpressions.Regex.Replace(svg, "id=\"([^\"]+)\"", m => $"id=\"{name}-{m.Groups[1].Value}\"");
        return System.Text.RegularExpressions.Regex.Replace(svg, "url\\(#([^)]+)\\)", m => $"url(#{name}-{m.Groups[1].Value})");
    }

    /// <summary>A table as Markdown.</summary>
    public static string ToMarkdown(List<string[]> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", rows[0]) + " |");
        text.AppendLine("|" + string.Join("|", rows[0].Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        // Cells can hold model answers; a '|' in one would end the cell.
        foreach (var row in rows.Skip(1)) text.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|").Replace('\n', ' '))) + " |");
        return text.ToString();
    }

    private static string ToHtml(List<string[]> rows)
    {
        var text = new StringBuilder("<table><thead><tr>");
        foreach (var cell in rows[0]) text.Append($"<th>{E(cell)}</th>");
        text.Append("</tr></thead><tbody>");
        foreach (var row in rows.Skip(1))
        {
            text.Append("<tr>");
            foreach (var cell in row) text.Append($"<td>{E(cell)}</td>");
            text.Append("</tr>");
        }
        return text.Append("</tbody></table>").ToString();
    }

    /// <summary>Scores with four decimals, as the paper prints them.</summary>
    public static string F(double? value) => value is { } v && double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Learning rates as 1e-05, 5e-06.</summary>
    public static string Lr(double value) => value.ToString("0.##e-00", CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void WriteAtomically(string path, string contents)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, contents);
        File.Move(temporary, path, overwrite: true);
    }
}
