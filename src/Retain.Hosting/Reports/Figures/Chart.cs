using ScottPlot;
using ScottPlot.Plottables;

namespace Retain.Hosting.Reports.Figures;

/// <summary>
/// A report figure on ScottPlot: axes whose ticks ScottPlot places on the data's range, a legend outside the data
/// area (so it never covers points), non-negative quantities drawn from zero up, and the report's font (DejaVu Sans
/// when installed, so text renders headless). Rendered to SVG (inlined in report.html) and PNG.
/// </summary>
public sealed class Chart
{
    /// <summary>The ScottPlot plot (tests inspect its plottables).</summary>
    public Plot Plot { get; } = new();

    /// <summary>Whether the legend panel is drawn (off for charts whose axis labels say what each mark is).</summary>
    public bool Legend { get; init; } = true;

    /// <summary>Width and height in pixels.</summary>
    public (int Width, int Height) Size { get; init; } = (820, 480);

    /// <summary>A chart with a title and axis labels.</summary>
    public Chart(string title, string xLabel, string yLabel)
    {
        Plot.Title(title);
        Plot.XLabel(xLabel);
        Plot.YLabel(yLabel);
        Plot.Font.Set(FontName);
        Plot.Legend.FontName = FontName;
    }

    /// <summary>The font used: DejaVu Sans when installed (Debian fonts-dejavu-core), else ScottPlot's default.</summary>
    public static string FontName { get; } = ScottPlot.Fonts.GetTypeface("DejaVu Sans", false, false)?.FamilyName == "DejaVu Sans" ? "DejaVu Sans" : ScottPlot.Fonts.Default;

    /// <summary>Markers (no line) in a colour and shape, with a legend text or none.</summary>
    public Scatter Markers(IReadOnlyList<double> xs, IReadOnlyList<double> ys, Color colour, MarkerShape shape, float size = 9, string? legend = null)
    {
        var scatter = Plot.Add.ScatterPoints(xs.ToArray(), ys.ToArray(), colour);
        scatter.MarkerShape = shape;
        scatter.MarkerSize = size;
        scatter.LegendText = legend ?? "";
        return scatter;
    }

    /// <summary>A line (no markers).</summary>
    public Scatter Line(IReadOnlyList<double> xs, IReadOnlyList<double> ys, Color colour, float width = 1.5f, LinePattern? pattern = null, string? legend = null)
    {
        var scatter = Plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), colour);
        scatter.LineWidth = width;
        scatter.LinePattern = pattern ?? LinePattern.Solid;
        scatter.LegendText = legend ?? "";
        return scatter;
    }

    /// <summary>Error bars of ± one standard error on both axes (NaN errors draw nothing).</summary>
    public ErrorBar ErrorBars(IReadOnlyList<double> xs, IReadOnlyList<double> ys, IReadOnlyList<double> xErrors, IReadOnlyList<double> yErrors, Color colour)
    {
        static double[] Clean(IReadOnlyList<double> e) => e.Select(v => double.IsFinite(v) ? v : 0).ToArray();
        var bars = new ErrorBar(xs.ToArray(), ys.ToArray(), Clean(xErrors), Clean(xErrors), Clean(yErrors), Clean(yErrors)) { Color = colour, LineWidth = 1.2f, CapSize = 4 };
        Plot.Add.Plottable(bars);
        return bars;
    }

    /// <summary>Box plots (quartiles, median, whiskers) at positions 0, 1, …, labelled on the x axis with their label and count.</summary>
    public void Boxes(IReadOnlyList<Summaries.BoxSummary> boxes)
    {
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            if (b.Count == 0) continue;
            var plot = Plot.Add.Box(new Box
            {
                Position = i, BoxMin = b.Q1, BoxMax = b.Q3, BoxMiddle = b.Median, WhiskerMin = b.WhiskerLow, WhiskerMax = b.WhiskerHigh, Width = 0.5,
                FillColor = Figures.FigureStyle.Colour(i).WithAlpha(0.6),
            });
            plot.LegendText = "";
        }
        Plot.Axes.Bottom.SetTicks(Enumerable.Range(0, boxes.Count).Select(i => (double)i).ToArray(), boxes.Select(b => $"{b.Label}\nn={b.Count}").ToArray());
    }

    /// <summary>A legend entry that stands for no plottable (a learning rate's colour, a method's marker).</summary>
    public void LegendEntry(string text, Color colour, MarkerShape shape, LinePattern? line = null)
    {
        Plot.Legend.ManualItems.Add(new LegendItem
        {
            LabelText = text,
            MarkerShape = line is null ? shape : MarkerShape.None,
            MarkerFillColor = colour,
            MarkerLineColor = colour,
            MarkerSize = 9,
            LineColor = colour,
            LineWidth = line is null ? 0 : 1.5f,
            LinePattern = line ?? LinePattern.Solid,
        });
    }

    /// <summary>
    /// Axis limits: the data's range with a small margin, never below <paramref name="xFloor"/> / <paramref name="yFloor"/>
    /// minus that margin (so a point at zero is not cut in half but no negative tick is labelled) and never above the ceilings.
    /// </summary>
    public void Limits(IEnumerable<double> xs, IEnumerable<double> ys, double? xFloor = null, double? yFloor = null, double? xCeiling = null, double? yCeiling = null)
    {
        var (xLow, xHigh) = Range(xs, xFloor, xCeiling);
        var (yLow, yHigh) = Range(ys, yFloor, yCeiling);
        Plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);
    }

    private static (double, double) Range(IEnumerable<double> values, double? floor, double? ceiling)
    {
        var finite = values.Where(double.IsFinite).ToList();
        double low = finite.Count == 0 ? 0 : finite.Min(), high = finite.Count == 0 ? 1 : finite.Max();
        if (floor is { } f) low = Math.Max(low, f);
        if (ceiling is { } c) high = Math.Min(high, c);
        if (high <= low) high = low + (Math.Abs(low) > 0 ? Math.Abs(low) * 0.1 : 1);
        double margin = (high - low) * 0.04;
        // The margin below a floor stays smaller than half a tick step, so the lowest labelled tick is the floor itself.
        return (floor is { } fl && low - margin < fl ? fl - Math.Min(margin, (high - low) * 0.02) : low - margin, high + margin);
    }

    /// <summary>SVG text of the figure.</summary>
    public string ToSvg()
    {
        ShowLegendOnce();
        return Plot.GetSvgXml(Size.Width, Size.Height);
    }

    /// <summary>Writes the PNG.</summary>
    public void SavePng(string path)
    {
        ShowLegendOnce();
        Plot.SavePng(path, Size.Width, Size.Height);
    }

    private bool _legendShown;

    // Each ShowLegend(Edge) call adds a panel; the legend sits outside the data area, right of it.
    private void ShowLegendOnce()
    {
        if (_legendShown) return;
        _legendShown = true;
        if (Legend) Plot.ShowLegend(Edge.Right);
        else Plot.HideLegend();
    }
}
