namespace Retain.Hosting.Reports.Plotting;

/// <summary>A data point; <see cref="Label"/> is drawn beside it when set.</summary>
public readonly record struct DataPoint(double X, double Y, string? Label = null);

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>Markers only.</summary>
    Markers,
    /// <summary>A line only.</summary>
    Line,
    /// <summary>A line with markers.</summary>
    LineAndMarkers,
    /// <summary>A dashed line (fronts, references).</summary>
    DashedLine,
}

/// <summary>One series.</summary>
public sealed record Series(string Name, IReadOnlyList<DataPoint> Points, SeriesStyle Style = SeriesStyle.Markers)
{
    /// <summary>Colour; default: from the palette by position.</summary>
    public string? Color { get; init; }

    /// <summary>Marker; default: from the palette by position.</summary>
    public Marker? Marker { get; init; }

    /// <summary>Marker radius in pixels.</summary>
    public double Size { get; init; } = 5;
}

/// <summary>
/// A scatter/line chart rendered to SVG: axes with readable ticks and labels, a legend, optional log x axis. Every
/// marker is a <c>&lt;g class="point"&gt;</c> carrying <c>data-series</c>, <c>data-x</c> and <c>data-y</c> so tests and
/// readers can check what is where.
/// </summary>
public sealed class XyChart
{
    /// <summary>Title above the plot.</summary>
    public string Title { get; init; } = "";

    /// <summary>X axis label.</summary>
    public string XLabel { get; init; } = "";

    /// <summary>Y axis label.</summary>
    public string YLabel { get; init; } = "";

    /// <summary>Fraction of the x range added on each side (0 for step axes, so they start where the data does).</summary>
    public double XPadding { get; init; } = 0.05;

    /// <summary>Axis limits the scales never extend past (e.g. 0 and 1 for scores).</summary>
    public (double Low, double High) Bounds { get; init; } = (double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>Logarithmic x axis.</summary>
    public bool LogX { get; init; }

    /// <summary>The series, drawn in order.</summary>
    public List<Series> Series { get; } = [];

    /// <summary>Width in pixels.</summary>
    public double Width { get; init; } = 680;

    /// <summary>Height in pixels.</summary>
    public double Height { get; init; } = 420;

    /// <summary>Left edge of the plot area.</summary>
    public const double Left = 64;

    /// <summary>Top edge of the plot area.</summary>
    public const double Top = 40;

    private const double Bottom = 52, LegendWidth = 170;

    /// <summary>The x scale for the current series.</summary>
    public Scale XScale => LogX ? Scale.Log(AllPoints.Select(p => p.X)) : Scale.Linear(AllPoints.Select(p => p.X), XPadding, lowest: Bounds.Low, highest: Bounds.High);

    /// <summary>The y scale for the current series.</summary>
    public Scale YScale => Scale.Linear(AllPoints.Select(p => p.Y), lowest: Bounds.Low, highest: Bounds.High);

    private IEnumerable<DataPoint> AllPoints => Series.SelectMany(s => s.Points);

    private double PlotWidth => Width - Left - LegendWidth;

    private double PlotHeight => Height - Top - Bottom;

    /// <summary>Pixel x of a data x.</summary>
    public double PixelX(double x) => Left + XScale.Fraction(x) * PlotWidth;

    /// <summary>Pixel y of a data y.</summary>
    public double PixelY(double y) => Top + (1 - YScale.Fraction(y)) * PlotHeight;

    /// <summary>Renders the chart.</summary>
    public string ToSvg()
    {
        var svg = new Svg(Width, Height);
        var xs = XScale;
        var ys = YScale;
        double right = Left + PlotWidth, bottom = Top + PlotHeight;
        svg.Element("rect", ("x", 0), ("y", 0), ("width", Width), ("height", Height), ("fill", "white"));
        svg.Element("text", Title, ("x", Left + PlotWidth / 2), ("y", 22), ("text-anchor", "middle"), ("font-size", 15), ("font-weight", "bold"));

        foreach (var tick in ys.Ticks)
        {
            double y = Top + (1 - ys.Fraction(tick)) * PlotHeight;
            svg.Element("line", ("x1", Left), ("y1", y), ("x2", right), ("y2", y), ("stroke", "#e6e6e6"));
            svg.Element("text", ys.Label(tick), ("x", Left - 6), ("y", y + 4), ("text-anchor", "end"), ("class", "tick-y"));
        }
        foreach (var tick in xs.Ticks)
        {
            double x = Left + xs.Fraction(tick) * PlotWidth;
            svg.Element("line", ("x1", x), ("y1", Top), ("x2", x), ("y2", bottom), ("stroke", "#f0f0f0"));
            svg.Element("text", xs.Label(tick), ("x", x), ("y", bottom + 16), ("text-anchor", "middle"), ("class", "tick-x"));
        }
        svg.Element("rect", ("x", Left), ("y", Top), ("width", PlotWidth), ("height", PlotHeight), ("fill", "none"), ("stroke", "#333"));
        svg.Element("text", XLabel, ("x", Left + PlotWidth / 2), ("y", Height - 12), ("text-anchor", "middle"), ("font-size", 13));
        svg.Element("text", YLabel, ("x", 16), ("y", Top + PlotHeight / 2), ("text-anchor", "middle"), ("font-size", 13), ("transform", $"rotate(-90 16 {Svg.Format(Top + PlotHeight / 2)})"));

        for (int s = 0; s < Series.Count; s++) DrawSeries(svg, Series[s], s);
        DrawLegend(svg, right + 14);
        return svg.ToString();
    }

    private void DrawSeries(Svg svg, Series series, int index)
    {
        string color = series.Color ?? Palette.Color(index);
        var marker = series.Marker ?? Palette.MarkerOf(index);
        var points = series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogX || p.X > 0)).ToList();
        if (series.Style != SeriesStyle.Markers && points.Count > 1)
        {
            var path = string.Join(" ", points.Select((p, i) => $"{(i == 0 ? 'M' : 'L')}{Svg.Format(PixelX(p.X))},{Svg.Format(PixelY(p.Y))}"));
            svg.Element("path", ("d", path), ("fill", "none"), ("stroke", color), ("stroke-width", 2),
                ("stroke-dasharray", series.Style == SeriesStyle.DashedLine ? "6 4" : null), ("class", "series-line"), ("data-series", series.Name));
        }
        if (series.Style is SeriesStyle.Line or SeriesStyle.DashedLine) return;
        foreach (var point in points)
        {
            double x = PixelX(point.X), y = PixelY(point.Y);
            svg.Open("g", ("class", "point"), ("data-series", series.Name), ("data-x", point.X), ("data-y", point.Y));
            svg.Element("title", $"{series.Name}: ({point.X:G4}, {point.Y:G4}){(point.Label is null ? "" : " " + point.Label)}");
            DrawMarker(svg, marker, x, y, series.Size, color);
            svg.Close("g");
            if (point.Label is not null) svg.Element("text", point.Label, ("x", x + series.Size + 3), ("y", y - series.Size - 1), ("font-size", 10), ("fill", "#444"));
        }
    }

    /// <summary>Draws one marker centred on (x, y).</summary>
    public static void DrawMarker(Svg svg, Marker marker, double x, double y, double r, string color)
    {
        switch (marker)
        {
            case Marker.Circle:
                svg.Element("circle", ("cx", x), ("cy", y), ("r", r), ("fill", color), ("stroke", "white"));
                break;
            case Marker.Square:
                svg.Element("rect", ("x", x - r), ("y", y - r), ("width", 2 * r), ("height", 2 * r), ("fill", color), ("stroke", "white"));
                break;
            case Marker.Triangle:
                svg.Element("polygon", ("points", Points((x, y - r * 1.2), (x - r * 1.1, y + r * 0.8), (x + r * 1.1, y + r * 0.8))), ("fill", color), ("stroke", "white"));
                break;
            case Marker.Diamond:
                svg.Element("polygon", ("points", Points((x, y - r * 1.3), (x + r * 1.1, y), (x, y + r * 1.3), (x - r * 1.1, y))), ("fill", color), ("stroke", "white"));
                break;
            case Marker.Cross:
                svg.Element("path", ("d", $"M{Svg.Format(x - r)},{Svg.Format(y - r)} L{Svg.Format(x + r)},{Svg.Format(y + r)} M{Svg.Format(x - r)},{Svg.Format(y + r)} L{Svg.Format(x + r)},{Svg.Format(y - r)}"), ("stroke", color), ("stroke-width", 2.5));
                break;
            case Marker.Star:
                var star = Enumerable.Range(0, 10).Select(i =>
                {
                    double angle = -Math.PI / 2 + i * Math.PI / 5, radius = i % 2 == 0 ? r * 1.6 : r * 0.7;
                    return (x + radius * Math.Cos(angle), y + radius * Math.Sin(angle));
                }).ToArray();
                svg.Element("polygon", ("points", Points(star)), ("fill", color), ("stroke", "#222"));
                break;
        }
    }

    private static string Points(params (double X, double Y)[] points) => string.Join(" ", points.Select(p => $"{Svg.Format(p.X)},{Svg.Format(p.Y)}"));

    private void DrawLegend(Svg svg, double x)
    {
        double y = Top + 8;
        for (int s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            string color = series.Color ?? Palette.Color(s);
            if (series.Style is SeriesStyle.Line or SeriesStyle.DashedLine)
            {
                svg.Element("line", ("x1", x), ("y1", y), ("x2", x + 18), ("y2", y), ("stroke", color), ("stroke-width", 2), ("stroke-dasharray", series.Style == SeriesStyle.DashedLine ? "6 4" : null));
            }
            else
            {
                DrawMarker(svg, series.Marker ?? Palette.MarkerOf(s), x + 9, y, 5, color);
            }
            svg.Element("text", Truncate(series.Name, 22), ("x", x + 24), ("y", y + 4), ("class", "legend"));
            y += 20;
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
