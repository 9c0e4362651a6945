using Retain.Benchmarks.MultipleChoice;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.MultipleChoice;

/// <summary>The converted files in shared/data/general_mc rebuilt into lm-eval's requests.</summary>
public class DataFormatTests
{
    // Decompressing HellaSwag takes seconds; the tests share one load.
    private static readonly Lazy<IReadOnlyList<ChoiceItem>> HellaSwag = new(() => new HellaSwagBenchmark(new()).Load(TestData.Shared()));

    private static IReadOnlyList<ChoiceItem> Load(ChoiceBenchmark benchmark) =>
        benchmark is HellaSwagBenchmark ? HellaSwag.Value : benchmark.Load(TestData.Shared());

    [Fact]
    public void Counts_match_the_published_splits()
    {
        Load(new ArcEasyBenchmark(new())).Count.ShouldBe(2376);
        Load(new ArcChallengeBenchmark(new())).Count.ShouldBe(1172);
        Load(new BoolqBenchmark(new())).Count.ShouldBe(3270);
        Load(new WinograndeBenchmark(new())).Count.ShouldBe(1267);
        Load(new PiqaBenchmark(new())).Count.ShouldBe(1838);
        Load(new HellaSwagBenchmark(new())).Count.ShouldBe(10042);
    }

    [Fact]
    public void Arc_context_is_the_lm_eval_question_template()
    {
        var item = Load(new ArcEasyBenchmark(new()))[0];
        item.Requests[0].ShouldBe(new LoglikelihoodRequest(
            "Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:",
            " Sunlight is the source of energy for nearly all ecosystems."));
        item.Gold.ShouldBe(0);
    }

    [Fact]
    public void Boolq_context_drops_the_passage_label_and_adds_answer()
    {
        var item = Load(new BoolqBenchmark(new()))[0];
        item.Requests[0].Context.ShouldStartWith("All biomass goes through at least some of these steps");
        item.Requests[0].Context.ShouldEndWith("\nQuestion: does ethanol take more energy make that produces?\nAnswer:");
        item.Requests.Select(r => r.Continuation).ShouldBe([" no", " yes"]);
    }

    [Fact]
    public void Piqa_pairs_questions_with_their_labels()
    {
        var items = Load(new PiqaBenchmark(new()));
        items[0].Requests[0].Context.ShouldBe("Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:");
        items[0].Gold.ShouldBe(0);
        items[1].Gold.ShouldBe(1);
        items.Count(i => i.Gold == 1).ShouldBe(928);
    }

    [Fact]
    public void Hellaswag_rebuilds_the_capitalised_query_and_cleans_endings()
    {
        var items = Load(new HellaSwagBenchmark(new()));
        items[0].Requests[0].Context.ShouldBe("Roof shingle removal: A man is sitting on a roof. He");
        items[0].Choices.ShouldBe(["is using wrap to wrap a pair of skis.", "is ripping level tiles off.", "is holding a rubik's cube.", "starts pulling up roofing on a roof."]);
        items[0].Gold.ShouldBe(3);
        items[1].Requests[0].Context.ShouldBe("Clean and jerk: A lady walks to a barbell. She bends down and grabs the pole. The lady");
    }

    [Theory]
    [InlineData("A man sits. then the man", "A man sits.", "then the man")]
    [InlineData("A man sits on a roof.", "A man sits on a roof.", "")]
    [InlineData("the man", "", "the man")]
    [InlineData("Is it? yes it", "Is it?", "yes it")]
    public void Hellaswag_context_split_takes_the_unfinished_last_sentence(string ctx, string a, string b) =>
        HellaSwagBenchmark.SplitContext(ctx).ShouldBe((a, b));

    [Theory]
    [InlineData(" How to fold [title] Fold it. ", "How to fold. Fold it.")]
    [InlineData("Step one [step] then [substeps] two", "Step one then two")]
    [InlineData("a   b", "a  b")]
    public void Hellaswag_preprocess_matches_lm_eval(string raw, string expected) => HellaSwagBenchmark.Preprocess(raw).ShouldBe(expected);

    [Fact]
    public void Python_capitalize_lowercases_the_rest()
    {
        HellaSwagBenchmark.Query("Label: Done. the man in NYC").ShouldBe("Label: Done. The man in nyc");
    }

    [Fact]
    public void Mmlu_zero_shot_prompt_has_the_subject_description_and_letters()
    {
        var items = new MmluBenchmark(new MmluOptions()).Load(TestData.Shared());
        items.Count.ShouldBe(14042);
        items.Select(i => i.Group).Distinct().Count().ShouldBe(57);
        var anatomy = items.First(i => i.Group == "anatomy");
        anatomy.Requests[0].Context.ShouldBe(
            "The following are multiple choice questions (with answers) about anatomy.\n\n" +
            "A lesion causing compression of the facial nerve at the stylomastoid foramen will cause ipsilateral\n" +
            "A. paralysis of the facial muscles.\nB. paralysis of the facial muscles and loss of taste.\n" +
            "C. paralysis of the facial muscles, loss of taste and lacrimation.\n" +
            "D. paralysis of the facial muscles, loss of taste, lacrimation and decreased salivation.\nAnswer:");
        anatomy.Requests.Select(r => r.Continuation).ShouldBe([" A", " B", " C", " D"]);
        anatomy.Gold.ShouldBe(0);
        items.First(i => i.Group == "high_school_us_history").Requests[0].Context
            .ShouldStartWith("The following are multiple choice questions (with answers) about high school us history.\n\n");
    }

    [Fact]
    public void Mmlu_five_shot_prompt_uses_the_first_dev_rows_with_letter_targets()
    {
        var items = new MmluBenchmark(new MmluOptions { FewShot = 5 }).Load(TestData.Shared());
        var context = items.First(i => i.Group == "anatomy").Requests[0].Context;
        context.ShouldStartWith("The following are multiple choice questions (with answers) about anatomy.\n\n" +
            "What is the embryological origin of the hyoid bone?\nA. The first pharyngeal arch\nB. The first and second pharyngeal arches\n" +
            "C. The second pharyngeal arch\nD. The second and third pharyngeal arches\nAnswer: D\n\n" +
            "Which of these branches of the trigeminal nerve contain somatic motor processes?\n");
        context.Split("\nAnswer: ").Length.ShouldBe(6);
        context.ShouldEndWith("decreased salivation.\nAnswer:");
    }

    [Fact]
    public void Mmlu_metrics_are_micro_averaged_with_categories_and_subjects()
    {
        // The toy model prefers " A" everywhere: acc per subject = share of answer 0.
        var model = new ScriptedModel { Score = r => r.Continuation == " A" ? -1 : -2 };
        var result = new MmluBenchmark(new MmluOptions()).Run(model, TestData.Shared());
        result.Primary.Name.ShouldBe("acc,none");
        result.Primary.Count.ShouldBe(14042);
        result.Primary.Value.ShouldBe(3222 / 14042.0, 1e-12);
        result.Metrics.Count.ShouldBe(1 + 4 + 57);
        result.Metrics.Where(m => m.Name.StartsWith("acc,none/mmlu_") && m.Name != "acc,none/mmlu_stem" && !new[] { "humanities", "other", "social_sciences" }.Any(c => m.Name.EndsWith(c)))
            .Sum(m => m.Count).ShouldBe(14042);
        // Pooled stderr is close to (not equal to) the plain stderr over all questions.
        double p = 3222 / 14042.0;
        result.Primary.StdErr.ShouldBe(Math.Sqrt(p * (1 - p) / 14041), 0.0005);
    }

    [Fact]
    public void Pooled_stderr_follows_lm_eval_formula()
    {
        var subtasks = new[] { new MetricValue("a", 0.5, 0.1, 10), new MetricValue("b", 0.2, 0.05, 30) };
        double expected = Math.Sqrt((9 * 0.01 * 10 + 29 * 0.0025 * 30) / (40 - 2) / 40);
        MmluBenchmark.PooledStdErr(subtasks).ShouldBe(expected, 1e-15);
    }
}
