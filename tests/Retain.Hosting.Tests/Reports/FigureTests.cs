using System.Globalization;
using ScottPlot;
using ScottPlot.Plottables;
using Retain.Hosting.Reports.Figures;
using Retain.Testing;

namespace Retain.Hosting.Tests.Reports;

public class FigureTests
{
    private static List<Figure> Figures(TempFolder temp) => ReportFigures.Of(new CraftedSweep(temp.Path).Init(0, 1)
        .Seeds("talr", 1e-3, 0.70, 0.40).Seeds("standard", 3e-4, 0.80, 0.70).Seeds("standard", 1e-3, 0.85, 0.50).Seeds("talr", 3e-4, 0.60, 0.80)
        .Seeds("standard", 1e-4, 0.60, 0.90)
        .Load());

    private static (double Position, string Label)[] Ticks(IAxis axis) =>
        axis.TickGenerator.Ticks.Where(t => t.IsMajor && t.Label.Length > 0).Select(t => (t.Position, t.Label)).ToArray();

    [Fact]
    public void Every_figure_uses_one_colour_per_learning_rate_one_marker_per_method_and_lists_rates_in_numeric_order()
    {
        using var temp = new TempFolder();
        var figures = Figures(temp);
        var style = new FigureStyle([1e-3, 3e-4, 1e-4], ["talr", "standard"]);

        var tradeoff = figures.Single(f => f.Name == "tradeoff-by-learning-rate").Chart.Plot;
        foreach (var (method, lr, x) in new[] { ("standard", 1e-4, 0.60), ("standard", 3e-4, 0.80), ("standard", 1e-3, 0.85), ("talr", 3e-4, 0.60), ("talr", 1e-3, 0.70) })
        {
            var point = tradeoff.GetPlottables().OfType<Scatter>().Single(s => s.MarkerSize == 9 && s.Data.GetScatterPoints().Count == 1 && Math.Abs(s.Data.GetScatterPoints()[0].X - x) < 1e-9 && s.MarkerShape == style.MarkerOf(method));
            point.MarkerFillColor.ShouldBe(style.ColourOf(lr));
        }
        style.ColourOf(1e-4).ShouldNotBe(style.ColourOf(3e-4));
        style.MarkerOf("standard").ShouldNotBe(style.MarkerOf("talr"));

        foreach (var figure in figures)
        {
            var legend = figure.Chart.Plot.Legend.ManualItems.Select(i => i.LabelText).Where(t => t.StartsWith("lr ", StringComparison.Ordinal)).ToList();
            legend.ShouldBe(legend.OrderBy(t => double.Parse(t[3..], CultureInfo.InvariantCulture)).ToList(), figure.Name);
            foreach (var item in figure.Chart.Plot.Legend.ManualItems.Where(i => i.LabelText.StartsWith("lr ", StringComparison.Ordinal)))
                item.LineColor.ShouldBe(style.ColourOf(double.Parse(item.LabelText[3..], CultureInfo.InvariantCulture)), figure.Name);
        }
    }

    [Fact]
    public void Axes_of_non_negative_quantities_label_no_negative_ticks_and_ticks_are_evenly_spaced_round_numbers()
    {
        using var temp = new TempFolder();
        foreach (var figure in Figures(temp))
        {
            figure.Chart.ToSvg(); // lays out the ticks
            foreach (var axis in new IAxis[] { figure.Chart.Plot.Axes.Bottom, figure.Chart.Plot.Axes.Left })
            {
                var ticks = Ticks(axis);
                ticks.Length.ShouldBeGreaterThan(1, figure.Name);
                var values = ticks.Select(t => double.Parse(t.Label, CultureInfo.InvariantCulture)).ToArray();
                values.ShouldAllBe(v => v >= 0, figure.Name);
                for (int i = 0; i < ticks.Length; i++) values[i].ShouldBe(ticks[i].Position, 1e-9, figure.Name); // labels say where they are
                var steps = values.Zip(values.Skip(1), (a, b) => b - a).ToArray();
                steps.ShouldAllBe(s => Math.Abs(s - steps[0]) < 1e-9, figure.Name);
            }
            figure.Chart.Plot.Axes.Left.Range.Min.ShouldBeGreaterThan(-0.05 * figure.Chart.Plot.Axes.Left.Range.Span, figure.Name);
        }
    }

    [Fact]
    public void Figures_render_headless_to_svg_and_png_with_their_text()
    {
        using var temp = new TempFolder();
        var chart = Figures(temp).First().Chart;
        var svg = chart.ToSvg();
        svg.ShouldContain("<svg");
        svg.ShouldContain("Domain vs general");
        var png = Path.Combine(temp.Path, "figure.png");
        chart.SavePng(png);
        new FileInfo(png).Length.ShouldBeGreaterThan(5000);
        Chart.FontName.ShouldBe("DejaVu Sans", "fonts-dejavu-core is installed on CI (.ci/run) and here");
    }
}
