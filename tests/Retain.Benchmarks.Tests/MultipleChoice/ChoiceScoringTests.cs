using Retain.Benchmarks.MultipleChoice;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.MultipleChoice;

public class ChoiceScoringTests
{
    [Fact]
    public void Acc_takes_the_largest_sum_and_the_first_index_on_ties()
    {
        var v = ChoiceScoring.Judge([-5.0, -3.0, -3.0], ["aa", "bbbbbb", "c"]);
        v.Prediction.ShouldBe(1);
        // -2.5, -0.5, -3.0 per character.
        v.NormalizedPrediction.ShouldBe(1);
    }

    [Fact]
    public void Acc_norm_divides_by_code_points_not_utf16_units()
    {
        // 3 code points (6 UTF-16 units): -3/3 = -1 < -3.9/4 = -0.975, so choice 1 wins; by UTF-16 length choice 0 would.
        var v = ChoiceScoring.Judge([-3.0, -3.9], ["😀😀😀", "abcd"]);
        v.Prediction.ShouldBe(0);
        v.NormalizedPrediction.ShouldBe(1);
    }

    /// <summary>
    /// A toy model whose log-likelihoods are a hand-written table. Item 0: apple −2 vs a brick −4 (acc ✓; per char
    /// −0.4 vs −0.571: acc_norm ✓). Item 1: heat −3 vs cold air −4 (acc ✗, gold 1; per char −0.75 vs −0.5: acc_norm ✓).
    /// Item 2: ab −4, abcdef −6, x −3 (acc ✗: x; per char −2, −1, −3: acc_norm ✓ abcdef).
    /// acc = 1/3, acc_norm = 3/3.
    /// </summary>
    [Fact]
    public void Arc_requests_and_metrics_match_a_hand_computed_toy_model()
    {
        var table = new Dictionary<(string, string), double>
        {
            [("Question: Which is a fruit?\nAnswer:", " apple")] = -2,
            [("Question: Which is a fruit?\nAnswer:", " a brick")] = -4,
            [("Question: What melts ice?\nAnswer:", " heat")] = -3,
            [("Question: What melts ice?\nAnswer:", " cold air")] = -4,
            [("Question: Pick the long one?\nAnswer:", " ab")] = -4,
            [("Question: Pick the long one?\nAnswer:", " abcdef")] = -6,
            [("Question: Pick the long one?\nAnswer:", " x")] = -3,
        };
        var model = new ScriptedModel { Score = r => table[(r.Context, r.Continuation)] };
        var records = new ListRecorder();
        var progress = new List<(int, int)>();
        var context = new BenchmarkContext
        {
            Data = new FolderLocator(TestData.Fixtures), Records = records,
            Progress = new Progress<(int Done, int Total)>(p => { lock (progress) progress.Add(p); }),
        };
        var result = new ArcEasyBenchmark(new ChoiceFileOptions { DataPath = "mc/arc_toy.jsonl" }).Run(model, context);

        model.Scored.Count.ShouldBe(7);
        result.Metrics.Select(m => m.Name).ShouldBe(["acc,none", "acc_norm,none"]);
        result.Metrics[0].Value.ShouldBe(1 / 3.0, 1e-12);
        result.Metrics[0].StdErr.ShouldBe(Math.Sqrt(1 / 3.0 / 3), 1e-12); // sqrt(sample var 1/3 / n = 3)
        result.Metrics[1].Value.ShouldBe(1.0);
        result.Metrics[1].StdErr.ShouldBe(0.0);
        records.Items.Select(r => r.Correct).ShouldBe([true, false, false]);
        records.Items[2].Extracted.ShouldBe("2");
        records.Items[2].Details["pred_norm"].ShouldBe(1);
    }

    [Fact]
    public void Winogrande_scores_one_shared_continuation_under_two_contexts()
    {
        var model = new ScriptedModel { Score = r => r.Context.EndsWith("table") ? -1.5 : -2.5 };
        var records = new ListRecorder();
        var result = new WinograndeBenchmark(new ChoiceFileOptions { DataPath = "mc/winogrande_toy.jsonl" })
            .Run(model, TestData.Folder(TestData.Fixtures, records));
        model.Scored.ShouldBe([
            new LoglikelihoodRequest("The cup fell off the table because the cup", " was tilted."),
            new LoglikelihoodRequest("The cup fell off the table because the table", " was tilted."),
        ]);
        result.Metrics.Select(m => m.Name).ShouldBe(["acc,none"]);
        result.Primary.Value.ShouldBe(1.0);
    }

    [Fact]
    public void Loglikelihood_benchmarks_refuse_to_score_responses()
    {
        Should.Throw<NotSupportedException>(() => new BoolqBenchmark(new ChoiceFileOptions()).Score([new ResponseRecord(0, "yes")], TestData.Shared()))
            .Message.ShouldContain("log-likelihood");
    }

    [Fact]
    public void A_missing_data_file_names_the_path_it_looked_for()
    {
        var e = Should.Throw<Retain.Data.DataException>(() =>
            new ArcChallengeBenchmark(new ChoiceFileOptions { DataPath = "nowhere/arc.jsonl" }).Run(new ScriptedModel(), TestData.Folder(TestData.Fixtures)));
        e.Message.ShouldContain(Path.Combine(TestData.Fixtures, "nowhere/arc.jsonl"));
    }

    [Fact]
    public void A_malformed_row_names_file_and_line()
    {
        using var dir = new TempDir();
        dir.File("bad.jsonl", "{\"query\": \"Question: a\", \"choices\": [\"x\"], \"gold\": 0}\n{\"query\": \"Question: b\", \"gold\": 0}\n");
        var e = Should.Throw<Retain.Data.DataException>(() => new ArcEasyBenchmark(new ChoiceFileOptions { DataPath = "bad.jsonl" }).Load(TestData.Folder(dir.Path)));
        e.Message.ShouldContain("bad.jsonl:2");
        e.Message.ShouldContain("choices");
    }
}
