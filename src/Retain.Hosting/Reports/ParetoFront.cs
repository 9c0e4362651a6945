namespace Retain.Hosting.Reports;

/// <summary>The points no other point beats on both axes (higher is better on both).</summary>
public static class ParetoFront
{
    /// <summary>The non-dominated points, sorted by x ascending (so y descends along the front).</summary>
    public static IReadOnlyList<T> Of<T>(IEnumerable<T> items, Func<T, double> x, Func<T, double> y)
    {
        var candidates = items.Where(i => double.IsFinite(x(i)) && double.IsFinite(y(i))).ToList();
        return candidates
            .Where(a => !candidates.Any(b => !ReferenceEquals(a, b) && x(b) >= x(a) && y(b) >= y(a) && (x(b) > x(a) || y(b) > y(a))))
            .OrderBy(x).ThenByDescending(y)
            .ToList();
    }
}
