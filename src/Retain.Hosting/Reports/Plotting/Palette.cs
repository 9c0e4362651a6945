namespace Retain.Hosting.Reports.Plotting;

/// <summary>Colours and marker shapes for series, distinguishable in colour and in grey.</summary>
public static class Palette
{
    /// <summary>Tableau 10.</summary>
    public static IReadOnlyList<string> Colors { get; } =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

    /// <summary>Marker shapes, cycled with the colours.</summary>
    public static IReadOnlyList<Marker> Markers { get; } = [Marker.Circle, Marker.Square, Marker.Triangle, Marker.Diamond, Marker.Cross];

    /// <summary>Colour of series <paramref name="index"/>.</summary>
    public static string Color(int index) => Colors[index % Colors.Count];

    /// <summary>Marker of series <paramref name="index"/>.</summary>
    public static Marker MarkerOf(int index) => Markers[index % Markers.Count];
}

/// <summary>Marker shapes.</summary>
public enum Marker
{
    /// <summary>A circle.</summary>
    Circle,
    /// <summary>A square.</summary>
    Square,
    /// <summary>An upward triangle.</summary>
    Triangle,
    /// <summary>A diamond.</summary>
    Diamond,
    /// <summary>A cross.</summary>
    Cross,
    /// <summary>A five-pointed star (the Init point).</summary>
    Star,
}
