using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Retain.Hosting.Reports;
using Retain.Hosting.Reports.Plotting;
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
    public void The_tradeoff_scatter_puts_each_point_where_its_scores_say()
    {
        using var temp = new TempFolder();
        var results = Synthetic(temp.Path);

        var output = ReportWriter.Write(results);

        var svg = XDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "figures", "tradeoff-by-method.svg")));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var points = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "point").ToList();
        points.Count.ShouldBe(5); // four runs and Init

        // Recover the axis mapping from two tick labels on each axis, then check every marker's centre.
        var xTicks = svg.Descendants(ns + "text").Where(t => (string?)t.Attribute("class") == "tick-x").Select(t => (Value: double.Parse(t.Value, CultureInfo.InvariantCulture), Pixel: (double)t.Attribute("x")!)).ToList();
        var yTicks = svg.Descendants(ns + "text").Where(t => (string?)t.Attribute("class") == "tick-y").Select(t => (Value: double.Parse(t.Value, CultureInfo.InvariantCulture), Pixel: (double)t.Attribute("y")! - 4)).ToList();
        double MapX(double v) => xTicks[0].Pixel + (v - xTicks[0].Value) / (xTicks[^1].Value - xTicks[0].Value) * (xTicks[^1].Pixel - xTicks[0].Pixel);
        double MapY(double v) => yTicks[0].Pixel + (v - yTicks[0].Value) / (yTicks[^1].Value - yTicks[0].Value) * (yTicks[^1].Pixel - yTicks[0].Pixel);

        var talrLow = points.Single(p => (string?)p.Attribute("data-series") == "talr" && (string?)p.Attribute("data-x") == "0.45");
        var circle = talrLow.Elements().Single(e => e.Name.LocalName is "rect" or "circle" or "polygon" or "path");
        ((string?)talrLow.Attribute("data-y")).ShouldBe("0.75");
        foreach (var point in points.Where(p => p.Element(ns + "circle") is not null))
        {
            var c = point.Element(ns + "circle")!;
            ((double)c.Attribute("cx")!).ShouldBe(MapX((double)point.Attribute("data-x")!), 0.6);
            ((double)c.Attribute("cy")!).ShouldBe(MapY((double)point.Attribute("data-y")!), 0.6);
        }
        circle.ShouldNotBeNull();
        var init = points.Single(p => (string?)p.Attribute("data-series") == "Init");
        ((double)init.Attribute("data-x")!, (double)init.Attribute("data-y")!).ShouldBe((0.10, 0.80));

        // The Pareto front: Init (0.1, 0.8), talr 1e-5 (0.45, 0.75), standard 1e-5 (0.5, 0.6), standard 1e-4 (0.6, 0.3);
        // talr 1e-4 (0.55, 0.5) is dominated by nothing? standard 1e-4 has higher domain but lower general: it stays.
        var front = ParetoFront.Of(ReportWriter.Points(results), p => p.Domain, p => p.General).Select(p => (p.Method, p.LearningRate)).ToList();
        front.ShouldBe([("talr", 1e-5), ("standard", 1e-5), ("talr", 1e-4), ("standard", 1e-4)]);
        File.Exists(output.Html).ShouldBeTrue();
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
        markdown.ShouldContain("| Init | – | – | 0.1000 | 0.8000 | 0 | 0.8000 |");
        markdown.ShouldNotContain("0e00");
        markdown.ShouldContain("![talr-tau](figures/talr-tau.svg)");
        var html = File.ReadAllText(output.Html);
        html.ShouldContain("<svg");
        html.ShouldNotContain("src=\"figures/");
        output.Figures.Select(Path.GetFileName).ShouldBe(["tradeoff-by-learning-rate.svg", "tradeoff-by-method.svg", "loss-standard.svg", "loss-talr.svg", "talr-tau.svg", "talr-weights.svg"]);
        results.Curves["standard_lr1e-5_s1"].Count.ShouldBe(3); // the torn line is ignored
    }

    [Fact]
    public void Ticks_are_round_numbers_covering_the_data()
    {
        var scale = Scale.Linear([0.13, 0.87]);
        scale.Ticks.ShouldBe([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        Scale.Log([3e-6, 2e-4]).Ticks.First().ShouldBe(1e-6, 1e-18);
        BoxSummary.Of("x", [1, 2, 3, 4, 100]).ShouldBe(new BoxSummary("x", 2, 3, 4, 1, 4, 5));
    }
}
