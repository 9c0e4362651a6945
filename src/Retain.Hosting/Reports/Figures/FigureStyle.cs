using ScottPlot;

namespace Retain.Hosting.Reports.Figures;

/// <summary>
/// One colour per learning rate and one marker per method, the same in every figure of a report, and the legend
/// order (learning rates ascending, methods in ordinal order).
/// </summary>
public sealed class FigureStyle
{
    // Colour-blind-safe (Okabe–Ito) first, then Tableau's remaining hues.
    private static readonly string[] Colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#8C564B", "#7F7F7F"];

    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown,
        MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp, MarkerShape.OpenDiamond, MarkerShape.Cross,
    ];

    /// <summary>The learning rates, ascending.</summary>
    public IReadOnlyList<double> LearningRates { get; }

    /// <summary>The methods, in ordinal order.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>The style of a sweep with these learning rates and methods.</summary>
    public FigureStyle(IEnumerable<double> learningRates, IEnumerable<string> methods)
    {
        LearningRates = learningRates.Distinct().Order().ToList();
        Methods = methods.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The colour of a learning rate.</summary>
    public Color ColourOf(double learningRate) => Colour(LearningRates.ToList().IndexOf(learningRate));

    /// <summary>The palette's colour at a position (series that are not learning rates, e.g. the models of a token analysis).</summary>
    public static Color Colour(int index) => Color.FromHex(Colours[Math.Max(0, index) % Colours.Length]);

    /// <summary>The marker of a method.</summary>
    public MarkerShape MarkerOf(string method)
    {
        int index = Methods.ToList().IndexOf(method);
        return Shapes[(index < 0 ? 0 : index) % Shapes.Length];
    }

    /// <summary>The Init point's colour (it has no learning rate).</summary>
    public static Color InitColour => Color.FromHex("#B8860B");

    /// <summary>Neutral grey for method legend entries and fronts.</summary>
    public static Color Neutral => Color.FromHex("#555555");
}
