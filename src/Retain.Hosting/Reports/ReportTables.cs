using System.Globalization;
using Retain.Hosting.Reports.Summaries;

namespace Retain.Hosting.Reports;

/// <summary>The report's tables as rows of cells (the first row is the header), shared by report.md, report.html and the CLI summary.</summary>
public static class ReportTables
{
    /// <summary>The absolute general measure shown beside the relative one: the model's NLL per token of the continuation samples.</summary>
    public const string StoryLogLikelihood = "continuation/loglik_per_token,none";

    /// <summary>
    /// One row per (method, learning rate): seeds, domain and general mean ± standard error over seeds (and the
    /// binomial standard error of the mean accuracy over the test items), each
    /// benchmark's mean ± SE, the absolute NLL/token when measured, and the largest most-frequent-answer share of its seeds.
    /// </summary>
    public static List<string[]> Cells(SweepResults results)
    {
        var benchmarks = Benchmarks(results);
        bool nll = HasNll(results);
        var header = new[] { "Method", "LR", "Seeds", "Domain", "± binomial", "General" }.Concat(benchmarks).Concat(nll ? ["NLL/token"] : []).Concat(["Top answer"]).ToArray();
        var rows = new List<string[]> { header };
        if (results.Init is { } init)
        {
            rows.Add(new[] { "Init", "–", "–", ReportWriter.F(init.Domain), Binomial(init.Domain, init.DomainCount), ReportWriter.F(init.General) }
                .Concat(benchmarks.Select(b => ReportWriter.F(init.Benchmarks.GetValueOrDefault(b, double.NaN))))
                .Concat(nll ? [Nll(init)] : []).Concat([Share(results.Answers.GetValueOrDefault("init"))]).ToArray());
        }
        var points = ReportWriter.Points(results);
        foreach (var cell in SweepCell.Of(points))
        {
            var scores = cell.Seeds.Select(p => p.Scores).ToList();
            var shares = cell.Seeds.Select(p => results.Answers.GetValueOrDefault(p.Key)).Where(s => s is not null).ToList();
            rows.Add(new[] { cell.Method, ReportWriter.Lr(cell.LearningRate), cell.Seeds.Count.ToString(CultureInfo.InvariantCulture), cell.Domain.ToString(),
                    Binomial(cell.Domain.Mean, cell.Seeds.Select(p => p.Scores.DomainCount).FirstOrDefault()), cell.General.ToString() }
                .Concat(benchmarks.Select(b => Estimate.Of(scores.Select(s => s.Benchmarks.GetValueOrDefault(b, double.NaN)).ToList()).ToString()))
                .Concat(nll ? [Estimate.Of(scores.Select(s => -s.Details.GetValueOrDefault(StoryLogLikelihood, double.NaN)).ToList()).ToString()] : [])
                .Concat([shares.Count == 0 ? "–" : Share(shares.MaxBy(s => s!.Share))]).ToArray());
        }
        return rows;
    }

    /// <summary>Rows: methods; columns: domain and general (mean ± SE over seeds) per learning rate, as the paper's Tables 1–2.</summary>
    public static List<string[]> Pivot(SweepResults results)
    {
        var cells = SweepCell.Of(ReportWriter.Points(results));
        var rates = cells.Select(c => c.LearningRate).Distinct().Order().ToList();
        var rows = new List<string[]> { new[] { "Method" }.Concat(rates.SelectMany(r => new[] { $"Domain @{ReportWriter.Lr(r)}", $"General @{ReportWriter.Lr(r)}" })).ToArray() };
        if (results.Init is { } init) rows.Add(new[] { "Init" }.Concat(rates.SelectMany(_ => new[] { ReportWriter.F(init.Domain), ReportWriter.F(init.General) })).ToArray());
        foreach (var method in cells.Select(c => c.Method).Distinct())
        {
            rows.Add(new[] { method }.Concat(rates.SelectMany(r => cells.FirstOrDefault(c => c.Method == method && c.LearningRate == r) is { } cell
                ? new[] { cell.Domain.ToString(), cell.General.ToString() }
                : ["–", "–"])).ToArray());
        }
        return rows;
    }

    /// <summary>
    /// One row per run (and merged candidate): the per-seed values. Domain with its binomial standard error, general,
    /// benchmarks, the selected step and whether validation was flat, and the most frequent answer's share.
    /// </summary>
    public static List<string[]> PerSeed(SweepResults results)
    {
        var benchmarks = Benchmarks(results);
        bool nll = HasNll(results);
        var rows = new List<string[]> { new[] { "Method", "LR", "Seed", "Domain ± binomial SE", "General" }.Concat(benchmarks).Concat(nll ? ["NLL/token"] : []).Concat(["Step", "Selection", "Top answer"]).ToArray() };
        foreach (var run in results.Runs.OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.LearningRate).ThenBy(r => r.Seed))
        {
            var lr = ReportWriter.Lr(run.LearningRate);
            var seed = run.Seed.ToString(CultureInfo.InvariantCulture);
            if (run.Status != "completed")
            {
                rows.Add(new[] { run.Method, lr, seed, run.Status, "–" }.Concat(benchmarks.Select(_ => "–")).Concat(nll ? ["–"] : []).Concat(["–", "–", "–"]).ToArray());
                continue;
            }
            rows.Add(Row(run.Method, run.Scores, run.SelectedStep?.ToString(CultureInfo.InvariantCulture) ?? "–", Selection(run.Selection), results.Answers.GetValueOrDefault(run.Run)));
            foreach (var candidate in run.Candidates)
                rows.Add(Row($"{run.Method} ({candidate.Label})", candidate.Scores, "–", "merge", results.Answers.GetValueOrDefault($"{run.Run} ({candidate.Label})")));

            string[] Row(string method, ModelScores scores, string step, string selection, AnswerShare? share) =>
                new[] { method, lr, seed, WithBinomial(scores), ReportWriter.F(scores.General) }
                    .Concat(benchmarks.Select(b => ReportWriter.F(scores.Benchmarks.GetValueOrDefault(b, double.NaN))))
                    .Concat(nll ? [Nll(scores)] : []).Concat([step, selection, Share(share)]).ToArray();
        }
        return rows;
    }

    /// <summary>The binomial standard error of an accuracy over <paramref name="count"/> test items.</summary>
    private static string Binomial(double? accuracy, int? count) =>
        accuracy is { } p && count is > 0 ? Estimate.Binomial(p, count.Value).ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    /// <summary>A domain accuracy with its binomial standard error over the test items.</summary>
    public static string WithBinomial(ModelScores scores) =>
        scores.Domain is not { } d ? "–" : scores.DomainCount is { } n and > 0 ? Estimate.Format(d, Estimate.Binomial(d, n)) : ReportWriter.F(d);

    private static string Selection(SelectionResult? selection) => selection switch
    {
        null => "–",
        { Flat: true } => $"flat ({selection.Validations} ties)",
        { TiedSteps.Count: > 1 } => $"best, {selection.TiedSteps.Count} tied",
        _ => "best",
    };

    private static string Nll(ModelScores scores) =>
        scores.Details.TryGetValue(StoryLogLikelihood, out var ll) ? Estimate.Format(-ll, scores.Details.GetValueOrDefault(StoryLogLikelihood + "_stderr", double.NaN)) : "–";

    private static string Share(AnswerShare? share) => share is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{share.Share * 100:0}% '{share.Answer}'{(share.IsConstant ? " (constant)" : "")}");

    private static bool HasNll(SweepResults results) => results.Init?.Details.ContainsKey(StoryLogLikelihood) == true || results.Runs.Any(r => r.Scores.Details.ContainsKey(StoryLogLikelihood));

    private static List<string> Benchmarks(SweepResults results) =>
        results.Runs.SelectMany(r => r.Scores.Benchmarks.Keys).Concat(results.Init?.Benchmarks.Keys.AsEnumerable() ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
}
