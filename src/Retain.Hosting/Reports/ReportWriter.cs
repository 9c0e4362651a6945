using System.Globalization;
using System.Net;
using System.Text;
using Retain.Hosting.Reports.Plotting;

namespace Retain.Hosting.Reports;

/// <summary>One point of the trade-off: a checkpoint with its domain and general score.</summary>
public sealed record TradeoffPoint(string Method, double LearningRate, int Seed, double Domain, double General, string Run);

/// <summary>
/// Writes a sweep's <c>report.md</c> and a self-contained <c>report.html</c> (figures inline), plus the figures as
/// SVG files under <c>figures/</c>: the paper-style table, domain-vs-general scatters per learning rate and per method
/// with the Pareto front and the Init point, training curves, and TALR's τ and weights over training.
/// </summary>
public static class ReportWriter
{
    /// <summary>The files written.</summary>
    public sealed record Output(string Markdown, string Html, IReadOnlyList<string> Figures);

    /// <summary>Writes the report into <see cref="SweepResults.Directory"/>.</summary>
    public static Output Write(SweepResults results)
    {
        var figures = Figures(results);
        var figureDirectory = Path.Combine(results.Directory, "figures");
        Directory.CreateDirectory(figureDirectory);
        var figurePaths = new List<string>();
        foreach (var (name, _, svg) in figures)
        {
            var path = Path.Combine(figureDirectory, name + ".svg");
            WriteAtomically(path, svg);
            figurePaths.Add(path);
        }
        var markdown = Path.Combine(results.Directory, "report.md");
        WriteAtomically(markdown, Markdown(results, figures.Select(f => (f.Name, f.Caption)).ToList()));
        var html = Path.Combine(results.Directory, "report.html");
        WriteAtomically(html, Html(results, figures));
        return new Output(markdown, html, figurePaths);
    }

    /// <summary>Every completed checkpoint (merge candidates included) with both scores.</summary>
    public static IReadOnlyList<TradeoffPoint> Points(SweepResults results)
    {
        var points = new List<TradeoffPoint>();
        foreach (var run in results.Runs.Where(r => r.Status == "completed"))
        {
            if (run.Scores is { Domain: { } d, General: { } g }) points.Add(new TradeoffPoint(run.Method, run.LearningRate, run.Seed, d, g, run.Run));
            foreach (var candidate in run.Candidates)
            {
                if (candidate.Scores is { Domain: { } cd, General: { } cg })
                    points.Add(new TradeoffPoint($"{run.Method} ({candidate.Label})", run.LearningRate, run.Seed, cd, cg, run.Run));
            }
        }
        return points;
    }

    /// <summary>The figures: file name, caption, SVG.</summary>
    public static List<(string Name, string Caption, string Svg)> Figures(SweepResults results)
    {
        var figures = new List<(string, string, string)>();
        var points = Points(results);
        var init = results.Init is { Domain: { } id, General: { } ig } ? new DataPoint(id, ig, "Init") : (DataPoint?)null;
        var front = ParetoFront.Of(points.Concat(init is { } i ? [new TradeoffPoint("Init", 0, 0, i.X, i.Y, "init")] : []), p => p.Domain, p => p.General);
        if (points.Count > 0)
        {
            var byRate = new XyChart { Title = "Domain vs general, by learning rate", XLabel = "Domain score", YLabel = "General score", Bounds = ScoreBounds(points, init) };
            foreach (var group in points.GroupBy(p => p.LearningRate).OrderBy(g => g.Key))
                byRate.Series.Add(new Series($"lr {Lr(group.Key)}", group.Select(p => new DataPoint(p.Domain, p.General, p.Method)).ToList()));
            AddFrontAndInit(byRate, front, init);
            figures.Add(("tradeoff-by-learning-rate", "Domain vs general score of every selected checkpoint, coloured by learning rate (as the paper's Figure 1). Dashed: the Pareto front; star: the initial model.", byRate.ToSvg()));

            var byMethod = new XyChart { Title = "Domain vs general, by method", XLabel = "Domain score", YLabel = "General score", Bounds = ScoreBounds(points, init) };
            foreach (var group in points.GroupBy(p => p.Method).OrderBy(g => g.Key, StringComparer.Ordinal))
                byMethod.Series.Add(new Series(group.Key, group.OrderBy(p => p.LearningRate).Select(p => new DataPoint(p.Domain, p.General, Lr(p.LearningRate))).ToList(), SeriesStyle.LineAndMarkers));
            AddFrontAndInit(byMethod, front, init);
            figures.Add(("tradeoff-by-method", "Domain vs general score per method, points labelled by learning rate (as the paper's Figure 2). Dashed: the Pareto front; star: the initial model.", byMethod.ToSvg()));
        }

        foreach (var method in results.Runs.Select(r => r.Method).Distinct().Order(StringComparer.Ordinal))
        {
            var chart = new XyChart { Title = $"Training loss: {method}", XLabel = "Optimizer step", XPadding = 0, YLabel = "Loss" };
            foreach (var run in results.Runs.Where(r => r.Method == method).OrderBy(r => r.LearningRate))
            {
                var curve = Curve(results, run.Run, "loss");
                if (curve.Count > 0) chart.Series.Add(new Series($"lr {Lr(run.LearningRate)} s{run.Seed}", curve, SeriesStyle.Line));
            }
            if (chart.Series.Count > 0) figures.Add(($"loss-{Slug(method)}", $"Training loss of {method} over optimizer steps, one line per learning rate.", chart.ToSvg()));
        }

        var validation = new XyChart { Title = "Domain validation during training", XLabel = "Optimizer step", XPadding = 0, YLabel = "Validation score" };
        foreach (var run in results.Runs.OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.LearningRate))
        {
            var curve = Curve(results, run.Run, "validation");
            if (curve.Count > 0) validation.Series.Add(new Series($"{run.Method} lr {Lr(run.LearningRate)}", curve, SeriesStyle.LineAndMarkers) { Size = 3 });
        }
        if (validation.Series.Count > 0) figures.Add(("validation", "Domain validation score at each validation step; the best one selects the checkpoint.", validation.ToSvg()));

        var talrRuns = results.Runs.Where(r => Curve(results, r.Run, "talr/tau").Count > 0).ToList();
        if (talrRuns.Count > 0)
        {
            var tau = new XyChart { Title = "TALR temperature τ", XLabel = "Optimizer step", XPadding = 0, YLabel = "τ (batch median of sequence mean NLL)" };
            var weights = new XyChart { Title = "TALR token weights", XLabel = "Optimizer step", XPadding = 0, YLabel = "Weight" };
            foreach (var run in talrRuns)
            {
                tau.Series.Add(new Series($"{run.Method} lr {Lr(run.LearningRate)}", Curve(results, run.Run, "talr/tau"), SeriesStyle.Line));
                weights.Series.Add(new Series($"mean, lr {Lr(run.LearningRate)}", Curve(results, run.Run, "talr/weight_mean"), SeriesStyle.Line));
                weights.Series.Add(new Series($"min, lr {Lr(run.LearningRate)}", Curve(results, run.Run, "talr/weight_min"), SeriesStyle.DashedLine));
            }
            figures.Add(("talr-tau", "TALR's τ over training: it falls as the model fits the batch, tightening the down-weighting of hard tokens.", tau.ToSvg()));
            figures.Add(("talr-weights", "Mean and minimum TALR token weight over training (the minimum is held at w_min by the floor).", weights.ToSvg()));
        }
        return figures;
    }

    /// <summary>Scores in [0, 1] keep the axes inside [0, 1]; other metrics are not bounded.</summary>
    private static (double, double) ScoreBounds(IReadOnlyList<TradeoffPoint> points, DataPoint? init)
    {
        var values = points.SelectMany(p => new[] { p.Domain, p.General }).Concat(init is { } i ? [i.X, i.Y] : []);
        return values.All(v => v is >= 0 and <= 1) ? (0, 1) : (double.NegativeInfinity, double.PositiveInfinity);
    }

    private static void AddFrontAndInit(XyChart chart, IReadOnlyList<TradeoffPoint> front, DataPoint? init)
    {
        if (front.Count > 1) chart.Series.Add(new Series("Pareto front", front.Select(p => new DataPoint(p.Domain, p.General)).ToList(), SeriesStyle.DashedLine) { Color = "#555" });
        if (init is { } i) chart.Series.Add(new Series("Init", [i], SeriesStyle.Markers) { Color = "#ffd700", Marker = Marker.Star, Size = 7 });
    }

    private static List<DataPoint> Curve(SweepResults results, string run, string key)
        => results.Curves.GetValueOrDefault(run, []).Where(r => r.Values.ContainsKey(key)).Select(r => new DataPoint(r.Step, r.Values[key])).ToList();

    private static string Markdown(SweepResults results, List<(string Name, string Caption)> figures)
    {
        var md = new StringBuilder();
        md.AppendLine($"# Sweep report: {results.Name}").AppendLine();
        foreach (var (key, value) in results.Facts.Where(f => f.Key != "name")) md.AppendLine($"- **{key}**: {value}");
        md.AppendLine();
        md.AppendLine("## Domain and general scores").AppendLine();
        md.AppendLine(ToMarkdown(SummaryTable(results))).AppendLine();
        md.AppendLine("## By method and learning rate (as the paper's Tables 1–2)").AppendLine();
        md.AppendLine(ToMarkdown(PivotTable(results))).AppendLine();
        foreach (var note in Notes(results)) md.AppendLine("- " + note);
        md.AppendLine();
        md.AppendLine("## Figures").AppendLine();
        foreach (var (name, caption) in figures) md.AppendLine($"![{name}](figures/{name}.svg)").AppendLine().AppendLine($"*{caption}*").AppendLine();
        return md.ToString();
    }

    private static string Html(SweepResults results, List<(string Name, string Caption, string Svg)> figures)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine($"<title>Retain sweep report: {E(results.Name)}</title>");
        html.AppendLine("<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:24px auto;color:#222;padding:0 16px}"
                        + "table{border-collapse:collapse;margin:12px 0}th,td{border:1px solid #ccc;padding:4px 10px;text-align:right}"
                        + "th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}figure{margin:20px 0}figcaption{color:#555;font-size:13px;max-width:680px}"
                        + ".best{font-weight:bold}.failed{color:#b00}</style></head><body>");
        html.AppendLine($"<h1>Sweep report: {E(results.Name)}</h1><ul>");
        foreach (var (key, value) in results.Facts.Where(f => f.Key != "name")) html.AppendLine($"<li><b>{E(key)}</b>: {E(value)}</li>");
        html.AppendLine("</ul><h2>Domain and general scores</h2>");
        html.AppendLine(ToHtml(SummaryTable(results)));
        html.AppendLine("<h2>By method and learning rate (as the paper's Tables 1–2)</h2>");
        html.AppendLine(ToHtml(PivotTable(results)));
        html.AppendLine("<ul>");
        foreach (var note in Notes(results)) html.AppendLine($"<li>{E(note)}</li>");
        html.AppendLine("</ul><h2>Figures</h2>");
        foreach (var (name, caption, svg) in figures) html.AppendLine($"<figure id=\"{name}\">{svg}<figcaption>{E(caption)}</figcaption></figure>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static IEnumerable<string> Notes(SweepResults results)
    {
        var excluded = results.Init?.Excluded ?? [];
        if (results.Init is { General: null } && excluded.Count > 0 && excluded.Count >= results.Init.Benchmarks.Count)
        {
            // Appendix C.3 leaves out every benchmark the initial model scores below the threshold; when that is all
            // of them there is no general score, and the domain-vs-general figures have no points.
            yield return $"No general score: the initial model scored below the threshold (General.Threshold) on every benchmark ({string.Join(", ", excluded)}), "
                + "so the general score and the domain-vs-general figures are left empty. Lower the threshold or add benchmarks the initial model can do.";
        }
        else if (excluded.Count > 0) yield return $"Excluded from the general score because the initial model scored below the threshold: {string.Join(", ", excluded)}.";
        foreach (var run in results.Runs.Where(r => r.Status != "completed")) yield return $"Run {run.Run} {run.Status}: {run.Error}";
        foreach (var missing in results.Missing) yield return $"Run {missing}: not finished yet (no result); 'retain status {results.Directory}' shows where it stands.";
        if (results.Init is null) yield return "The initial model was not evaluated, so there is no Init point.";
    }

    /// <summary>Rows: Init, then each run (and merge candidate): method, lr, seed, domain, general, per-benchmark.</summary>
    public static List<string[]> SummaryTable(SweepResults results)
    {
        var benchmarks = results.Runs.SelectMany(r => r.Scores.Benchmarks.Keys).Concat(results.Init?.Benchmarks.Keys.AsEnumerable() ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var rows = new List<string[]> { new[] { "Method", "LR", "Seed", "Domain", "General", "Step" }.Concat(benchmarks).ToArray() };
        if (results.Init is { } init) rows.Add(new[] { "Init", "–", "–", F(init.Domain), F(init.General), "0" }.Concat(benchmarks.Select(b => F(init.Benchmarks.GetValueOrDefault(b, double.NaN)))).ToArray());
        foreach (var run in results.Runs.OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.LearningRate).ThenBy(r => r.Seed))
        {
            if (run.Status != "completed")
            {
                rows.Add(new[] { run.Method, Lr(run.LearningRate), run.Seed.ToString(CultureInfo.InvariantCulture), run.Status, "–", "–" }.Concat(benchmarks.Select(_ => "–")).ToArray());
                continue;
            }
            rows.Add(new[] { run.Method, Lr(run.LearningRate), run.Seed.ToString(CultureInfo.InvariantCulture), F(run.Scores.Domain), F(run.Scores.General), run.SelectedStep?.ToString(CultureInfo.InvariantCulture) ?? "–" }
                .Concat(benchmarks.Select(b => F(run.Scores.Benchmarks.GetValueOrDefault(b, double.NaN)))).ToArray());
            foreach (var candidate in run.Candidates)
            {
                rows.Add(new[] { $"{run.Method} ({candidate.Label})", Lr(run.LearningRate), run.Seed.ToString(CultureInfo.InvariantCulture), F(candidate.Scores.Domain), F(candidate.Scores.General), "–" }
                    .Concat(benchmarks.Select(b => F(candidate.Scores.Benchmarks.GetValueOrDefault(b, double.NaN)))).ToArray());
            }
        }
        return rows;
    }

    /// <summary>Rows: methods; columns: Domain and General per learning rate (seeds averaged), as the paper's tables.</summary>
    public static List<string[]> PivotTable(SweepResults results)
    {
        var points = Points(results);
        var rates = points.Select(p => p.LearningRate).Distinct().Order().ToList();
        var rows = new List<string[]> { new[] { "Method" }.Concat(rates.SelectMany(r => new[] { $"Domain @{Lr(r)}", $"General @{Lr(r)}" })).ToArray() };
        if (results.Init is { } init) rows.Add(new[] { "Init" }.Concat(rates.SelectMany(_ => new[] { F(init.Domain), F(init.General) })).ToArray());
        foreach (var method in points.Select(p => p.Method).Distinct().Order(StringComparer.Ordinal))
        {
            rows.Add(new[] { method }.Concat(rates.SelectMany(r =>
            {
                var cell = points.Where(p => p.Method == method && p.LearningRate == r).ToList();
                return cell.Count == 0 ? new[] { "–", "–" } : new[] { F(cell.Average(p => p.Domain)), F(cell.Average(p => p.General)) };
            })).ToArray());
        }
        return rows;
    }

    private static string ToMarkdown(List<string[]> rows)
    {
        var text = new StringBuilder();
        text.AppendLine("| " + string.Join(" | ", rows[0]) + " |");
        text.AppendLine("|" + string.Join("|", rows[0].Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        foreach (var row in rows.Skip(1)) text.AppendLine("| " + string.Join(" | ", row) + " |");
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

    private static string Slug(string text) => new(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static void WriteAtomically(string path, string contents)
    {
        Execution.AtomicFile.WriteAllText(path, contents); // two processes may finish a sweep at once
    }
}
