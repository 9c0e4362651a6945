namespace Retain.Hosting.Reports.Plotting;

/// <summary>Five-number summary of a sample, with whiskers at 1.5 IQR as matplotlib draws them.</summary>
/// <param name="Label">Category label.</param>
/// <param name="Q1">First quartile.</param>
/// <param name="Median">Median.</param>
/// <param name="Q3">Third quartile.</param>
/// <param name="WhiskerLow">Lowest value within Q1 − 1.5·IQR.</param>
/// <param name="WhiskerHigh">Highest value within Q3 + 1.5·IQR.</param>
/// <param name="Count">Sample size.</param>
public sealed record BoxSummary(string Label, double Q1, double Median, double Q3, double WhiskerLow, double WhiskerHigh, int Count)
{
    /// <summary>Summarises a sample (linear-interpolation quantiles, numpy's default).</summary>
    public static BoxSummary Of(string label, IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return new BoxSummary(label, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        double q1 = Quantile(sorted, 0.25), median = Quantile(sorted, 0.5), q3 = Quantile(sorted, 0.75), iqr = q3 - q1;
        double low = sorted.First(v => v >= q1 - 1.5 * iqr), high = sorted.Last(v => v <= q3 + 1.5 * iqr);
        return new BoxSummary(label, q1, median, q3, low, high, sorted.Length);
    }

    /// <summary>numpy's linear-interpolation quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double position = q * (sorted.Count - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}

/// <summary>Box plots of several samples side by side, as the paper's Figure 3b.</summary>
public sealed class BoxPlotChart
{
    /// <summary>Title.</summary>
    public string Title { get; init; } = "";

    /// <summary>Y axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Fixed y range, e.g. (0, 1) for probabilities; null fits the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>The boxes.</summary>
    public List<BoxSummary> Boxes { get; } = [];

    /// <summary>Renders the chart.</summary>
    public string ToSvg(double width = 680, double height = 380)
    {
        const double left = 64, top = 40, bottom = 70, right = 20;
        var svg = new Svg(width, height);
        var scale = YRange is { } range
            ? Scale.Linear([range.Min, range.Max], padding: 0)
            : Scale.Linear(Boxes.SelectMany(b => new[] { b.WhiskerLow, b.WhiskerHigh }));
        double plotWidth = width - left - right, plotHeight = height - top - bottom;
        double Y(double v) => top + (1 - scale.Fraction(v)) * plotHeight;

        svg.Element("rect", ("x", 0), ("y", 0), ("width", width), ("height", height), ("fill", "white"));
        svg.Element("text", Title, ("x", left + plotWidth / 2), ("y", 22), ("text-anchor", "middle"), ("font-size", 15), ("font-weight", "bold"));
        foreach (var tick in scale.Ticks)
        {
            svg.Element("line", ("x1", left), ("y1", Y(tick)), ("x2", left + plotWidth), ("y2", Y(tick)), ("stroke", "#e6e6e6"));
            svg.Element("text", scale.Label(tick), ("x", left - 6), ("y", Y(tick) + 4), ("text-anchor", "end"));
        }
        svg.Element("rect", ("x", left), ("y", top), ("width", plotWidth), ("height", plotHeight), ("fill", "none"), ("stroke", "#333"));
        svg.Element("text", YLabel, ("x", 16), ("y", top + plotHeight / 2), ("text-anchor", "middle"), ("font-size", 13), ("transform", $"rotate(-90 16 {Svg.Format(top + plotHeight / 2)})"));

        double slot = plotWidth / Math.Max(1, Boxes.Count);
        for (int i = 0; i < Boxes.Count; i++)
        {
            var box = Boxes[i];
            double cx = left + slot * (i + 0.5), half = Math.Min(30, slot * 0.3);
            string color = Palette.Color(i);
            svg.Open("g", ("class", "box"), ("data-label", box.Label), ("data-median", box.Median), ("data-q1", box.Q1), ("data-q3", box.Q3), ("data-count", box.Count));
            if (box.Count > 0)
            {
                svg.Element("line", ("x1", cx), ("y1", Y(box.WhiskerLow)), ("x2", cx), ("y2", Y(box.WhiskerHigh)), ("stroke", "#333"));
                svg.Element("rect", ("x", cx - half), ("y", Y(box.Q3)), ("width", 2 * half), ("height", Math.Max(1, Y(box.Q1) - Y(box.Q3))), ("fill", color), ("fill-opacity", 0.6), ("stroke", "#333"));
                svg.Element("line", ("x1", cx - half), ("y1", Y(box.Median)), ("x2", cx + half), ("y2", Y(box.Median)), ("stroke", "#111"), ("stroke-width", 2.5));
                foreach (var end in new[] { box.WhiskerLow, box.WhiskerHigh })
                {
                    svg.Element("line", ("x1", cx - half / 2), ("y1", Y(end)), ("x2", cx + half / 2), ("y2", Y(end)), ("stroke", "#333"));
                }
            }
            svg.Close("g");
            svg.Element("text", box.Label, ("x", cx), ("y", top + plotHeight + 18), ("text-anchor", "middle"));
            svg.Element("text", $"n={box.Count}", ("x", cx), ("y", top + plotHeight + 34), ("text-anchor", "middle"), ("font-size", 10), ("fill", "#666"));
        }
        return svg.ToString();
    }
}
