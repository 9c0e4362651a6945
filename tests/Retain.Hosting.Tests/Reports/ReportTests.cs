using System.Globalization;
using System.Text.Json;
using Retain.Hosting.Reports;
using Retain.Hosting.Reports.Summaries;
using Retain.Testing;

namespace Retain.Hosting.Tests.Reports;

public class ReportTests
{
    private static SweepResults Synthetic(string directory)
    {
        void Write(string path, object value)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(value, SweepResults.Json));
        }
        Write(Path.Combine(directory, "sweep.json"), new Dictionary<string, string> { ["name"] = "demo", ["model"] = "stories260K" });
        Write(Path.Combine(directory, "init", "result.json"), new ModelScores { Domain = 0.10, General = 0.80, Benchmarks = { ["continuation"] = 0.80 } });
        var runs = new (string Method, double Lr, double Domain, double General)[]
        {
            ("standard", 1e-5, 0.50, 0.60), ("standard", 1e-4, 0.60, 0.30), ("talr", 1e-5, 0.45, 0.75), ("talr", 1e-4, 0.55, 0.50),
        };
        foreach (var (method, lr, domain, general) in runs)
        {
            var name = $"{method}_lr{lr.ToString("0e0", CultureInfo.InvariantCulture)}_s1";
            Write(Path.Combine(directory, name, "result.json"), new RunResult
            {
                Run = name, Method = method, LearningRate = lr, Seed = 1, Steps = 3, SelectedStep = 2,
                Scores = new ModelScores { Domain = domain, General = general, Benchmarks = { ["continuation"] = general } },
            });
            var lines = Enumerable.Range(1, 3).Select(step => JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["step"] = step, ["loss"] = 2.0 / step, ["talr/tau"] = method == "talr" ? 1.0 / step : double.NaN,
            }.Where(kv => kv.Value is not double d || double.IsFinite(d)).ToDictionary()));
            File.WriteAllLines(Path.Combine(directory, name, "metrics.jsonl"), lines);
        }
        File.AppendAllText(Path.Combine(directory, "standard_lr1e-5_s1", "metrics.jsonl"), "{\"step\": 4, \"lo"); // torn last line
        return SweepResults.Load(directory);
    }

    [Fact]
    public void The_pareto_front_keeps_the_points_no_other_point_beats_on_both_scores()
    {
        using var temp = new TempFolder();
        var results = Synthetic(temp.Path);

        // Init (0.1, 0.8), talr 1e-5 (0.45, 0.75), standard 1e-5 (0.5, 0.6), talr 1e-4 (0.55, 0.5), standard 1e-4 (0.6, 0.3): none dominated.
        var front = ParetoFront.Of(ReportWriter.Points(results), p => p.Domain, p => p.General).Select(p => (p.Method, p.LearningRate)).ToList();
        front.ShouldBe([("talr", 1e-5), ("standard", 1e-5), ("talr", 1e-4), ("standard", 1e-4)]);
    }

    [Fact]
    public void The_report_has_the_paper_style_table_curves_talr_statistics_and_is_self_contained()
    {
        using var temp = new TempFolder();
        var results = Synthetic(temp.Path);

        var output = ReportWriter.Write(results);

        var markdown = File.ReadAllText(output.Markdown);
        markdown.ShouldContain("| Init | 0.1000 | 0.8000 | 0.1000 | 0.8000 |");
        markdown.ShouldContain("| standard | 0.5000 | 0.6000 | 0.6000 | 0.3000 |", customMessage: markdown); // columns: lr 1e-5 then 1e-4
        markdown.ShouldContain("## Verdict");
        markdown.ShouldContain("## Per-seed values");
        markdown.ShouldNotContain("0e00");
        markdown.ShouldContain("![talr-tau](figures/talr-tau.svg)");
        var html = File.ReadAllText(output.Html);
        html.ShouldContain("<svg");
        html.ShouldNotContain("src=\"figures/");
        var ids = System.Text.RegularExpressions.Regex.Matches(html, "id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        ids.Distinct().Count().ShouldBe(ids.Count, "inline figures must not share element ids (clip paths)");
        output.Figures.Select(Path.GetFileName).ShouldBe(["tradeoff-by-learning-rate.svg", "tradeoff-by-method.svg", "loss-standard.svg", "loss-talr.svg", "talr-tau.svg", "talr-weights.svg"]);
        foreach (var figure in output.Figures) File.Exists(Path.ChangeExtension(figure, ".png")).ShouldBeTrue();
        results.Curves["standard_lr1e-5_s1"].Count.ShouldBe(3); // the torn line is ignored
    }

    [Fact]
    public void Box_summaries_use_numpy_quartiles_and_whiskers_at_one_and_a_half_iqr()
    {
        BoxSummary.Of("x", [1, 2, 3, 4, 100]).ShouldBe(new BoxSummary("x", 2, 3, 4, 1, 4, 5));
    }
}
