using System.Globalization;

namespace Retain.Hosting.Reports.Summaries;

/// <summary>What a sweep says about one of the paper's findings.</summary>
public enum FindingOutcome
{
    /// <summary>The data show it, by more than twice the standard error.</summary>
    Supported,
    /// <summary>The data show the opposite, by more than twice the standard error.</summary>
    Contradicted,
    /// <summary>Neither: differences within the standard errors, a trade-off where neither side dominates, too few seeds, or nothing to compare.</summary>
    CannotTell,
}

/// <summary>One finding's outcome with the comparisons behind it.</summary>
public sealed record FindingVerdict(string Finding, FindingOutcome Outcome, IReadOnlyList<string> Evidence, IReadOnlyList<FindingOutcome> Comparisons)
{
    /// <summary><c>1 of 3 comparisons support it, 0 contradict it</c>.</summary>
    public string Counts => $"{Comparisons.Count(c => c == FindingOutcome.Supported)} of {Comparisons.Count} comparisons support it, {Comparisons.Count(c => c == FindingOutcome.Contradicted)} contradict it";

    /// <summary><c>supported</c>, <c>contradicted</c>, <c>cannot tell</c>.</summary>
    public string OutcomeText => Outcome switch { FindingOutcome.Supported => "supported", FindingOutcome.Contradicted => "contradicted", _ => "cannot tell" };
}

/// <summary>
/// The report's opening verdict, computed from the cell means and their standard errors over seeds: the
/// Pareto-optimal (method, learning rate) points, and for each of the paper's two findings whether this sweep
/// supports it, contradicts it, or cannot tell. A comparison counts only when a difference exceeds twice its standard
/// error (√(se₁² + se₂²)); "A dominates B" means A is clearly better on one score and not clearly worse on the other.
/// </summary>
public sealed record Verdict(IReadOnlyList<SweepCell> ParetoOptimal, FindingVerdict SmallerLearningRate, FindingVerdict TalrAtLargerRates)
{
    /// <summary>The method label the second finding is about.</summary>
    public const string Talr = "talr";

    /// <summary>The verdict of a sweep's cells (the Init point joins the Pareto comparison when given).</summary>
    public static Verdict Of(IReadOnlyList<SweepCell> cells, ModelScores? init)
    {
        var candidates = cells.Select(c => (Cell: (SweepCell?)c, X: c.Domain.Mean, Y: c.General.Mean)).ToList();
        if (init is { Domain: { } d, General: { } g }) candidates.Add((null, d, g));
        var front = ParetoFront.Of(candidates, c => c.X, c => c.Y).Where(c => c.Cell is not null).Select(c => c.Cell!).ToList();
        return new Verdict(front, SmallerRates(cells), TalrBalance(cells));
    }

    /// <summary>The verdict as the report's opening lines.</summary>
    public IReadOnlyList<string> Lines()
    {
        var lines = new List<string>
        {
            ParetoOptimal.Count == 0
                ? "Pareto-optimal points: none (no completed run with both scores)."
                : "Pareto-optimal points (means over seeds; no other point has both a higher domain and a higher general score): "
                  + string.Join("; ", ParetoOptimal.Select(c => $"{c.Label} (domain {c.Domain}, general {c.General}, {Seeds(c)})")) + ".",
        };
        foreach (var finding in new[] { SmallerLearningRate, TalrAtLargerRates })
        {
            lines.Add($"{finding.Finding}: {finding.OutcomeText}" + (finding.Evidence.Count > 1 ? $" ({finding.Counts})" : "") + ". " + string.Join(" ", finding.Evidence));
        }
        return lines;
    }

    private static string Seeds(SweepCell cell) => cell.Seeds.Count == 1 ? "1 seed" : $"{cell.Seeds.Count} seeds";

    /// <summary>Finding 1, per method: its smallest against its largest learning rate.</summary>
    private static FindingVerdict SmallerRates(IReadOnlyList<SweepCell> cells)
    {
        const string finding = "Finding 1 (a smaller learning rate gives a better domain/general trade-off)";
        var evidence = new List<string>();
        var outcomes = new List<FindingOutcome>();
        foreach (var method in cells.GroupBy(c => c.Method).Where(g => g.Select(c => c.LearningRate).Distinct().Count() >= 2))
        {
            var small = method.MinBy(c => c.LearningRate)!;
            var large = method.MaxBy(c => c.LearningRate)!;
            var (outcome, text) = Compare(small, large, $"{method.Key}: lr {ReportWriter.Lr(small.LearningRate)} against {ReportWriter.Lr(large.LearningRate)}");
            outcomes.Add(outcome);
            evidence.Add(text);
        }
        if (outcomes.Count == 0) return new FindingVerdict(finding, FindingOutcome.CannotTell, ["no method ran at two or more learning rates."], []);
        return new FindingVerdict(finding, Combine(outcomes), evidence, outcomes);
    }

    /// <summary>Finding 2: TALR against every other method at each learning rate above the smallest (the only one when there is one).</summary>
    private static FindingVerdict TalrBalance(IReadOnlyList<SweepCell> cells)
    {
        const string finding = "Finding 2 (TALR gives the best balance at larger learning rates)";
        var rates = cells.Select(c => c.LearningRate).Distinct().Order().ToList();
        var larger = rates.Count > 1 ? rates.Skip(1).ToList() : rates;
        var evidence = new List<string>();
        var outcomes = new List<FindingOutcome>();
        foreach (var rate in larger)
        {
            var talr = cells.FirstOrDefault(c => c.Method == Talr && c.LearningRate == rate);
            if (talr is null) continue;
            foreach (var other in cells.Where(c => c.LearningRate == rate && c.Method != Talr && !c.Method.Contains('(')))
            {
                var (outcome, text) = Compare(talr, other, $"lr {ReportWriter.Lr(rate)}: talr against {other.Method}");
                outcomes.Add(outcome);
                evidence.Add(text);
            }
        }
        if (outcomes.Count == 0) return new FindingVerdict(finding, FindingOutcome.CannotTell, ["the sweep has no talr run and another method at the same larger learning rate to compare."], []);
        return new FindingVerdict(finding, Combine(outcomes), evidence, outcomes);
    }

    /// <summary>Whether <paramref name="a"/> dominates <paramref name="b"/> (supported), the reverse (contradicted), or neither.</summary>
    private static (FindingOutcome, string) Compare(SweepCell a, SweepCell b, string what)
    {
        var domain = Difference.Between(a.Domain, b.Domain);
        var general = Difference.Between(a.General, b.General);
        var numbers = $"domain {domain}, general {general}";
        if (!domain.Measurable || !general.Measurable) return (FindingOutcome.CannotTell, $"{what}: {Plain(domain)} domain, {Plain(general)} general; fewer than two seeds, so no standard error.");
        bool aBetter = (domain.ClearlyPositive && !general.ClearlyNegative) || (general.ClearlyPositive && !domain.ClearlyNegative);
        bool bBetter = (domain.ClearlyNegative && !general.ClearlyPositive) || (general.ClearlyNegative && !domain.ClearlyPositive);
        if (aBetter && !bBetter) return (FindingOutcome.Supported, $"{what}: {numbers}, the first is better.");
        if (bBetter && !aBetter) return (FindingOutcome.Contradicted, $"{what}: {numbers}, the first is worse.");
        if (domain.ClearlyPositive || domain.ClearlyNegative) return (FindingOutcome.CannotTell, $"{what}: {numbers}, a trade-off: neither is better on both.");
        return (FindingOutcome.CannotTell, $"{what}: {numbers}, within twice the standard errors.");
    }

    private static string Plain(Difference d) => double.IsFinite(d.Value) ? d.Value.ToString("+0.0000;−0.0000", CultureInfo.InvariantCulture) : "–";

    /// <summary>Supported when every comparison supports it; contradicted when some contradicts it and none supports it; else cannot tell.</summary>
    private static FindingOutcome Combine(IReadOnlyList<FindingOutcome> outcomes)
    {
        if (outcomes.All(o => o == FindingOutcome.Supported)) return FindingOutcome.Supported;
        if (outcomes.Contains(FindingOutcome.Contradicted) && !outcomes.Contains(FindingOutcome.Supported)) return FindingOutcome.Contradicted;
        return FindingOutcome.CannotTell;
    }
}
