using System.Text.Json;
using Retain.Data;
using Retain.Hosting.Configuration;
using Retain.Hosting.Evaluation;
using Retain.Hosting.Reports;
using Retain.Hosting.Runs;
using Retain.Testing;

namespace Retain.Hosting.Tests.Runs;

/// <summary>
/// The paper's appendix C.3 rule: the general score is the mean of the benchmarks' headline metrics, leaving out
/// those on which the initial model scores below the threshold (0.5 by default).
/// </summary>
public class GeneralScoreTests
{
    private static GeneralEvaluation Evaluation(double threshold = 0.5)
    {
        var cache = Path.Combine(Path.GetTempPath(), "retain-general-" + Guid.NewGuid().ToString("N")[..8]);
        return new GeneralEvaluation([], new BenchmarkRunner(cache), new GeneralSettings { Threshold = threshold }, DataLocator.Create([cache]), seed: 1);
    }

    private static readonly Dictionary<string, double> Initial = new() { ["ifeval"] = 0.72, ["gsm8k"] = 0.55, ["humaneval"] = 0.31 };

    [Fact]
    public void Benchmarks_the_initial_model_scores_below_the_threshold_are_left_out()
    {
        var trained = new Dictionary<string, double> { ["ifeval"] = 0.70, ["gsm8k"] = 0.40, ["humaneval"] = 0.90 };
        var (general, excluded) = Evaluation().Aggregate(trained, Initial);
        excluded.ShouldBe(["humaneval"]);
        general!.Value.ShouldBe((0.70 + 0.40) / 2, 1e-12); // the trained model's humaneval 0.90 does not count
    }

    [Fact]
    public void The_rule_looks_at_the_initial_model_only_and_keeps_a_score_exactly_at_the_threshold()
    {
        var initial = new Dictionary<string, double> { ["ifeval"] = 0.5, ["gsm8k"] = 0.4999 };
        var (general, excluded) = Evaluation().Aggregate(new Dictionary<string, double> { ["ifeval"] = 0.2, ["gsm8k"] = 0.9 }, initial);
        excluded.ShouldBe(["gsm8k"]);
        general.ShouldBe(0.2);
    }

    [Fact]
    public void Gemma_1b_like_case_keeps_only_ifeval()
    {
        // The paper: for Gemma-3-1B only IFEval is above 0.5, so the general score is IFEval alone.
        var initial = new Dictionary<string, double> { ["ifeval"] = 0.61, ["gsm8k"] = 0.35, ["humaneval"] = 0.20 };
        var (general, excluded) = Evaluation().Aggregate(new Dictionary<string, double> { ["ifeval"] = 0.58, ["gsm8k"] = 0.30, ["humaneval"] = 0.25 }, initial);
        excluded.ShouldBe(["gsm8k", "humaneval"]);
        general.ShouldBe(0.58);
    }

    [Fact]
    public void When_every_benchmark_is_below_the_threshold_there_is_no_general_score()
    {
        var initial = new Dictionary<string, double> { ["ifeval"] = 0.12, ["gsm8k"] = 0.02 };
        var (general, excluded) = Evaluation().Aggregate(initial, initial);
        general.ShouldBeNull();
        excluded.ShouldBe(["gsm8k", "ifeval"]);
        var (trainedGeneral, _) = Evaluation().Aggregate(new Dictionary<string, double> { ["ifeval"] = 0.9, ["gsm8k"] = 0.9 }, initial);
        trainedGeneral.ShouldBeNull(); // not the mean of benchmarks the rule excludes
    }

    [Fact]
    public void A_lower_threshold_brings_the_benchmarks_back()
    {
        var (general, excluded) = Evaluation(threshold: 0.0).Aggregate(Initial, Initial);
        excluded.ShouldBeEmpty();
        general!.Value.ShouldBe((0.72 + 0.55 + 0.31) / 3, 1e-12);
    }

    [Fact]
    public void The_report_says_why_there_is_no_general_score_when_every_benchmark_is_below()
    {
        using var folder = new TempFolder();
        var init = Evaluation().Scores(new DomainScore("accuracy", 0.1, 10), 0.2, new Dictionary<string, double> { ["ifeval"] = 0.1, ["gsm8k"] = 0.0 },
            new Dictionary<string, double> { ["ifeval"] = 0.1, ["gsm8k"] = 0.0 });
        folder.File("sweep.json", """{"name": "tiny", "model": "stories260K"}""");
        folder.File(Path.Combine("init", "result.json"), JsonSerializer.Serialize(init, SweepResults.Json));
        var report = File.ReadAllText(ReportWriter.Write(SweepResults.Load(folder.Path)).Markdown);
        report.ShouldContain("No general score: the initial model scored below the threshold (General.Threshold) on every benchmark (gsm8k, ifeval)");
        report.ShouldNotContain("Excluded from the general score");
    }
}
