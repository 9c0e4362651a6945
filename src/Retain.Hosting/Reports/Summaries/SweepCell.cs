namespace Retain.Hosting.Reports.Summaries;

/// <summary>One (method, learning rate) of a sweep over its seeds: the means and standard errors the tables, plots and verdict use.</summary>
public sealed record SweepCell(string Method, double LearningRate, IReadOnlyList<TradeoffPoint> Seeds)
{
    /// <summary>Domain score over seeds.</summary>
    public Estimate Domain { get; } = Estimate.Of(Seeds.Select(p => p.Domain).ToList());

    /// <summary>General score over seeds.</summary>
    public Estimate General { get; } = Estimate.Of(Seeds.Select(p => p.General).ToList());

    /// <summary><c>standard @1e-04</c>.</summary>
    public string Label => $"{Method} @{ReportWriter.Lr(LearningRate)}";

    /// <summary>The cells of the points, ordered by method (ordinal) then learning rate.</summary>
    public static IReadOnlyList<SweepCell> Of(IEnumerable<TradeoffPoint> points) =>
        points.GroupBy(p => (p.Method, p.LearningRate))
            .Select(g => new SweepCell(g.Key.Method, g.Key.LearningRate, g.OrderBy(p => p.Seed).ToList()))
            .OrderBy(c => c.Method, StringComparer.Ordinal).ThenBy(c => c.LearningRate)
            .ToList();
}
