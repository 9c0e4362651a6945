using ScottPlot;
using Retain.Hosting.Reports.Summaries;

namespace Retain.Hosting.Reports.Figures;

/// <summary>A figure of the report: file name (no extension), caption, chart.</summary>
public sealed record Figure(string Name, string Caption, Chart Chart);

/// <summary>
/// The report's figures: the domain-vs-general trade-off (means over seeds with ± 1 standard-error bars, the Pareto
/// front of the means, the Init point), per method connected across learning rates, training loss and domain
/// validation curves, and TALR's τ and weights. Every figure colours by learning rate and marks by method with one
/// <see cref="FigureStyle"/>. Captions describe what is drawn, never a direction of the results.
/// </summary>
public static class ReportFigures
{
    /// <summary>The figures of a sweep.</summary>
    public static List<Figure> Of(SweepResults results)
    {
        var points = ReportWriter.Points(results);
        var cells = SweepCell.Of(points);
        var style = new FigureStyle(results.Runs.Select(r => r.LearningRate), points.Select(p => p.Method).Concat(results.Runs.Select(r => r.Method)));
        var figures = new List<Figure>();
        if (cells.Count > 0)
        {
            figures.Add(new Figure("tradeoff-by-learning-rate",
                "Domain vs general score of each (method, learning rate): the mean over seeds with ± 1 standard-error bars; colour: learning rate, marker: method (as the paper's Figure 1). Dashed: the Pareto front of the means; gold star: the initial model.",
                Tradeoff(results, cells, style, connectMethods: false)));
            figures.Add(new Figure("tradeoff-by-method",
                "The same points with each method's learning rates joined in increasing order (as the paper's Figure 2).",
                Tradeoff(results, cells, style, connectMethods: true)));
        }
        foreach (var method in style.Methods.Where(m => results.Runs.Any(r => r.Method == m)))
        {
            var chart = Curves(results, results.Runs.Where(r => r.Method == method).ToList(), "loss", style, $"Training loss: {method}", "Loss", perSeed: true);
            if (chart is not null) figures.Add(new Figure($"loss-{Slug(method)}", $"Training loss of {method} over optimizer steps, one line per seed, coloured by learning rate.", chart));
        }
        var validation = Curves(results, results.Runs, "validation", style, "Domain validation during training", "Validation score", perSeed: false, ceiling: 1);
        if (validation is not null) figures.Add(new Figure("validation", "Domain validation score at each validation step, mean over seeds; colour: learning rate, marker: method. The best step of each run selects its checkpoint.", validation));
        var talrRuns = results.Runs.Where(r => results.Curves.GetValueOrDefault(r.Run, []).Any(s => s.Values.ContainsKey("talr/tau"))).ToList();
        if (talrRuns.Count > 0)
        {
            figures.Add(new Figure("talr-tau", "TALR's temperature τ (batch median of the sequence mean NLL) over training, one line per seed, coloured by learning rate.",
                Curves(results, talrRuns, "talr/tau", style, "TALR temperature τ", "τ", perSeed: true)!));
            figures.Add(new Figure("talr-weights", "Mean TALR token weight over training (solid) and the minimum weight (dotted), one line per seed, coloured by learning rate.",
                TalrWeights(results, talrRuns, style)));
        }
        return figures;
    }

    private static Chart Tradeoff(SweepResults results, IReadOnlyList<SweepCell> cells, FigureStyle style, bool connectMethods)
    {
        var chart = new Chart(connectMethods ? "Domain vs general, by method" : "Domain vs general, by learning rate", DomainLabel(results), "General score");
        var xs = new List<double>();
        var ys = new List<double>();
        if (connectMethods)
        {
            foreach (var method in cells.GroupBy(c => c.Method).Where(g => g.Count() > 1))
            {
                var ordered = method.OrderBy(c => c.LearningRate).ToList();
                chart.Line(ordered.Select(c => c.Domain.Mean).ToList(), ordered.Select(c => c.General.Mean).ToList(), FigureStyle.Neutral.WithAlpha(0.5), 1);
            }
        }
        foreach (var cell in cells)
        {
            var colour = style.ColourOf(cell.LearningRate);
            chart.ErrorBars([cell.Domain.Mean], [cell.General.Mean], [cell.Domain.StdErr], [cell.General.StdErr], colour);
            chart.Markers([cell.Domain.Mean], [cell.General.Mean], colour, style.MarkerOf(cell.Method));
            xs.AddRange([cell.Domain.Mean - Finite(cell.Domain.StdErr), cell.Domain.Mean + Finite(cell.Domain.StdErr)]);
            ys.AddRange([cell.General.Mean - Finite(cell.General.StdErr), cell.General.Mean + Finite(cell.General.StdErr)]);
        }
        var front = new List<(double X, double Y)>();
        if (results.Init is { Domain: { } d, General: { } g })
        {
            front.Add((d, g));
            xs.Add(d);
            ys.Add(g);
        }
        front.AddRange(cells.Select(c => (c.Domain.Mean, c.General.Mean)));
        var pareto = ParetoFront.Of(front, p => p.X, p => p.Y);
        if (pareto.Count > 1) chart.Line(pareto.Select(p => p.X).ToList(), pareto.Select(p => p.Y).ToList(), FigureStyle.Neutral, 1.2f, LinePattern.Dashed);
        if (results.Init is { Domain: { } id, General: { } ig }) chart.Markers([id], [ig], FigureStyle.InitColour, MarkerShape.Asterisk, 14);

        foreach (var rate in style.LearningRates) chart.LegendEntry($"lr {ReportWriter.Lr(rate)}", style.ColourOf(rate), MarkerShape.FilledCircle);
        foreach (var method in cells.Select(c => c.Method).Distinct().OrderBy(m => style.Methods.ToList().IndexOf(m))) chart.LegendEntry(method, FigureStyle.Neutral, style.MarkerOf(method));
        if (results.Init is not null) chart.LegendEntry("Init", FigureStyle.InitColour, MarkerShape.Asterisk);
        if (pareto.Count > 1) chart.LegendEntry("Pareto front", FigureStyle.Neutral, MarkerShape.None, LinePattern.Dashed);
        bool scores = xs.Concat(ys).Where(double.IsFinite).All(v => v is >= -0.5 and <= 1.5);
        chart.Limits(xs, ys, xFloor: 0, yFloor: 0, xCeiling: scores ? 1 : null, yCeiling: scores ? 1 : null);
        return chart;
    }

    private static string DomainLabel(SweepResults results)
    {
        var metric = results.Runs.Select(r => r.Scores.DomainMetric).FirstOrDefault(m => m.Length > 0) ?? "score";
        return $"Domain {metric.Replace('_', ' ')}";
    }

    /// <summary>Lines of a metric over steps: per seed, or the mean over seeds at each step (with markers by method).</summary>
    private static Chart? Curves(SweepResults results, IReadOnlyList<RunResult> runs, string key, FigureStyle style, string title, string yLabel, bool perSeed, double? ceiling = null)
    {
        var chart = new Chart(title, "Optimizer step", yLabel);
        var xs = new List<double>();
        var ys = new List<double>();
        var rates = new HashSet<double>();
        var methods = new HashSet<string>();
        var groups = perSeed
            ? runs.Select(r => (r.Method, r.LearningRate, Runs: (IReadOnlyList<RunResult>)[r])).ToList()
            : runs.GroupBy(r => (r.Method, r.LearningRate)).Select(g => (g.Key.Method, g.Key.LearningRate, Runs: (IReadOnlyList<RunResult>)g.ToList())).ToList();
        foreach (var (method, rate, group) in groups.OrderBy(g => g.LearningRate).ThenBy(g => g.Method, StringComparer.Ordinal))
        {
            var curve = group.SelectMany(r => results.Curves.GetValueOrDefault(r.Run, []).Where(s => s.Values.TryGetValue(key, out var v) && double.IsFinite(v)).Select(s => (s.Step, Value: s.Values[key])))
                .GroupBy(p => p.Step).OrderBy(g => g.Key).Select(g => (X: (double)g.Key, Y: g.Average(p => p.Value))).ToList();
            if (curve.Count == 0) continue;
            var line = chart.Line(curve.Select(p => p.X).ToList(), curve.Select(p => p.Y).ToList(), style.ColourOf(rate), perSeed ? 1.2f : 1.5f);
            if (!perSeed)
            {
                line.MarkerShape = style.MarkerOf(method);
                line.MarkerSize = 7;
                methods.Add(method);
            }
            rates.Add(rate);
            xs.AddRange(curve.Select(p => p.X));
            ys.AddRange(curve.Select(p => p.Y));
        }
        if (xs.Count == 0) return null;
        foreach (var rate in style.LearningRates.Where(rates.Contains)) chart.LegendEntry($"lr {ReportWriter.Lr(rate)}", style.ColourOf(rate), MarkerShape.None, LinePattern.Solid);
        foreach (var method in style.Methods.Where(methods.Contains)) chart.LegendEntry(method, FigureStyle.Neutral, style.MarkerOf(method));
        chart.Limits(xs, ys, xFloor: 0, yFloor: ys.All(v => v >= 0) ? 0 : null, yCeiling: ceiling);
        return chart;
    }

    private static Chart TalrWeights(SweepResults results, IReadOnlyList<RunResult> runs, FigureStyle style)
    {
        var chart = new Chart("TALR token weights", "Optimizer step", "Weight");
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var run in runs.OrderBy(r => r.LearningRate).ThenBy(r => r.Seed))
        {
            foreach (var (key, pattern) in new[] { ("talr/weight_mean", LinePattern.Solid), ("talr/weight_min", LinePattern.Dotted) })
            {
                var curve = results.Curves.GetValueOrDefault(run.Run, []).Where(s => s.Values.TryGetValue(key, out var v) && double.IsFinite(v)).Select(s => (X: (double)s.Step, Y: s.Values[key])).ToList();
                if (curve.Count == 0) continue;
                chart.Line(curve.Select(p => p.X).ToList(), curve.Select(p => p.Y).ToList(), style.ColourOf(run.LearningRate), 1.2f, pattern);
                xs.AddRange(curve.Select(p => p.X));
                ys.AddRange(curve.Select(p => p.Y));
            }
        }
        foreach (var rate in style.LearningRates.Where(r => runs.Any(run => run.LearningRate == r))) chart.LegendEntry($"lr {ReportWriter.Lr(rate)}", style.ColourOf(rate), MarkerShape.None, LinePattern.Solid);
        chart.LegendEntry("mean", FigureStyle.Neutral, MarkerShape.None, LinePattern.Solid);
        chart.LegendEntry("minimum", FigureStyle.Neutral, MarkerShape.None, LinePattern.Dotted);
        chart.Limits(xs, ys, xFloor: 0, yFloor: 0, yCeiling: 1);
        return chart;
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static string Slug(string text) => new(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray());
}
