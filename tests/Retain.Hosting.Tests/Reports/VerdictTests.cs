using Retain.Hosting.Reports;
using Retain.Hosting.Reports.Summaries;
using Retain.Testing;

namespace Retain.Hosting.Tests.Reports;

public class VerdictTests
{
    [Fact]
    public void A_sweep_where_talr_is_worse_at_the_larger_rate_says_finding_two_is_contradicted()
    {
        using var temp = new TempFolder();
        var results = new CraftedSweep(temp.Path).Init(0, 1)
            .Seeds("standard", 1e-4, 0.60, 0.90).Seeds("standard", 1e-3, 0.85, 0.50)
            .Seeds("talr", 1e-4, 0.40, 0.92).Seeds("talr", 1e-3, 0.70, 0.40)
            .Load();

        var verdict = ReportWriter.VerdictOf(results);

        verdict.TalrAtLargerRates.Outcome.ShouldBe(FindingOutcome.Contradicted);
        var text = string.Join("\n", verdict.Lines());
        text.ShouldContain("Finding 2 (TALR gives the best balance at larger learning rates): contradicted");
        text.ShouldContain("lr 1e-03: talr against standard: domain −0.1500 ± 0.0082, general −0.1000 ± 0.0082, the first is worse.");
        // Finding 1: each method's smallest rate keeps more general ability but loses domain accuracy: a trade-off, not a better one.
        verdict.SmallerLearningRate.Outcome.ShouldBe(FindingOutcome.CannotTell);
        text.ShouldContain("a trade-off: neither is better on both");
        File.ReadAllText(ReportWriter.Write(results).Markdown).ShouldContain("contradicted");
    }

    [Fact]
    public void A_sweep_where_talr_and_smaller_rates_are_better_supports_both_findings_and_names_the_pareto_points()
    {
        using var temp = new TempFolder();
        var results = new CraftedSweep(temp.Path).Init(0, 1)
            .Seeds("standard", 1e-4, 0.80, 0.90).Seeds("standard", 1e-3, 0.80, 0.50)
            .Seeds("talr", 1e-4, 0.80, 0.92).Seeds("talr", 1e-3, 0.81, 0.70)
            .Load();

        var verdict = ReportWriter.VerdictOf(results);

        verdict.SmallerLearningRate.Outcome.ShouldBe(FindingOutcome.Supported);
        verdict.TalrAtLargerRates.Outcome.ShouldBe(FindingOutcome.Supported);
        verdict.ParetoOptimal.Select(c => c.Label).ShouldBe(["talr @1e-04", "talr @1e-03"]);
        verdict.Lines()[0].ShouldContain("talr @1e-04 (domain 0.8000 ± 0.0058, general 0.9200 ± 0.0058, 3 seeds)");
    }

    [Fact]
    public void Differences_within_twice_the_standard_error_or_with_one_seed_cannot_tell()
    {
        using var temp = new TempFolder();
        var noisy = new CraftedSweep(Path.Combine(temp.Path, "noisy")).Init(0, 1)
            .Seeds("standard", 1e-4, 0.80, 0.60, spread: 0.1).Seeds("standard", 1e-3, 0.82, 0.58, spread: 0.1)
            .Seeds("talr", 1e-3, 0.81, 0.62, spread: 0.1)
            .Load();
        var verdict = ReportWriter.VerdictOf(noisy);
        verdict.SmallerLearningRate.Outcome.ShouldBe(FindingOutcome.CannotTell);
        verdict.TalrAtLargerRates.Outcome.ShouldBe(FindingOutcome.CannotTell);
        string.Join("\n", verdict.Lines()).ShouldContain("within twice the standard errors");

        var single = new CraftedSweep(Path.Combine(temp.Path, "single")).Init(0, 1)
            .Run("standard", 1e-4, 1, 0.9, 0.9).Run("standard", 1e-3, 1, 0.1, 0.1)
            .Load();
        var one = ReportWriter.VerdictOf(single);
        one.SmallerLearningRate.Outcome.ShouldBe(FindingOutcome.CannotTell);
        string.Join("\n", one.Lines()).ShouldContain("fewer than two seeds, so no standard error");
        one.TalrAtLargerRates.Evidence.Single().ShouldContain("no talr run");
    }

    [Fact]
    public void A_checkpoint_answering_one_string_to_most_items_is_flagged_with_the_constant_answer_baseline()
    {
        using var temp = new TempFolder();
        var answers = Enumerable.Repeat("yes", 19).Append("no").ToArray();
        var results = new CraftedSweep(temp.Path).Init(0, 1, "yes", "yes", "yes", "no")
            .Run("standard", 1e-3, 1, 0.75, 0.5, answers)
            .Run("standard", 1e-4, 1, 0.40, 0.8, ["yes", "no", "maybe", "no"])
            .Load();

        var baselines = string.Join("\n", ReportWriter.Baselines(results));

        baselines.ShouldContain("standard_lr1e-3_s1 answers 'yes' to 95% of 20 items");
        baselines.ShouldNotContain("standard_lr1e-4_s1 answers");
        baselines.ShouldContain("answering 'yes' (the test set's most frequent reference) to every item scores 0.7500");
        baselines.ShouldContain("among the 2 distinct reference answers, scores 0.5000");
        var perSeed = ReportTables.PerSeed(results);
        perSeed.Single(r => r[1] == "1e-03")[^1].ShouldBe("95% 'yes' (constant)");
        perSeed.Single(r => r[1] == "1e-03")[3].ShouldBe("0.7500 ± 0.0306"); // binomial SE over 200 items
    }

    [Fact]
    public void A_flat_validation_curve_is_reported_in_the_result_and_the_report()
    {
        SelectionResult.Of([(10, 0.2), (20, 0.2), (30, 0.2)])!.Flat.ShouldBeTrue();
        var ties = SelectionResult.Of([(10, 0.2), (20, 0.4), (30, 0.4)])!;
        (ties.Validations, ties.Flat).ShouldBe((3, false));
        ties.TiedSteps.ShouldBe([20, 30]);
        SelectionResult.Of([(10, 0.2)])!.Flat.ShouldBeFalse(); // one point is no curve

        using var temp = new TempFolder();
        var results = new CraftedSweep(temp.Path).Init(0, 1)
            .Run("talr", 1e-3, 1, 0.61, 0.5, validation: [0.6067, 0.6067, 0.6067, 0.6067])
            .Run("standard", 1e-3, 1, 0.70, 0.4, validation: [0.3, 0.7])
            .Load();

        results.Runs.Single(r => r.Method == "talr").Selection!.Flat.ShouldBeTrue();
        var baselines = string.Join("\n", ReportWriter.Baselines(results));
        baselines.ShouldContain("Flat validation");
        baselines.ShouldContain("talr_lr1e-3_s1 (4 points at 0.6067)");
        baselines.ShouldNotContain("standard_lr1e-3_s1 (");
        ReportTables.PerSeed(results).Single(r => r[0] == "talr")[^2].ShouldBe("flat (4 ties)");
    }
}
