using Retain.Benchmarks.Continuation;
using Retain.Benchmarks.Tests.Fakes;
using Retain.Evaluation;

namespace Retain.Benchmarks.Tests.Continuation;

public class ContinuationBenchmarkTests
{
    private static readonly ContinuationOptions Options = new() { Prompts = ["Once", "One day"], SamplesPerPrompt = 3, MaxNewTokens = 8 };

    /// <summary>The reference "samples" a seed-dependent text and scores −1 nat per character (one token per character).</summary>
    private static ScriptedModel Reference() => new()
    {
        Id = "init-model",
        Respond = r => $" sample{r.Settings.Seed}",
        Score = r => -1.0 * r.Continuation.Length,
    };

    private static BenchmarkContext Context(ILanguageModel? reference, string? cache, ListRecorder? records = null) => new()
    {
        Data = new FolderLocator(), ReferenceModel = reference, CacheDirectory = cache, Records = records ?? new ListRecorder(), Seed = 7,
    };

    [Fact]
    public void The_reference_itself_retains_everything()
    {
        var reference = Reference();
        var result = new ContinuationBenchmark(Options).Run(reference, Context(null, null));
        result.Metrics.Select(m => m.Name).ShouldBe(["retained_likelihood,none", "kl_per_token,none", "loglik_per_token,none"]);
        result.Primary.Value.ShouldBe(1.0);
        result.Primary.Count.ShouldBe(6);
        result.Metrics[1].Value.ShouldBe(0.0);
        result.Metrics[2].Value.ShouldBe(-1.0, 1e-12);
        reference.Generated.Select(g => g.Settings.Seed).ShouldBe([7, 8, 9, 10, 11, 12]);
        reference.Generated.ShouldAllBe(g => g.Settings.Temperature == 1.0 && g.Settings.MaxNewTokens == 8);
    }

    [Fact]
    public void A_model_that_drifted_scores_exp_minus_its_per_token_kl()
    {
        // −1.5 nats per character instead of −1: r = −0.5 per token on every sample.
        var drifted = new ScriptedModel { Id = "tuned", Score = r => -1.5 * r.Continuation.Length };
        var records = new ListRecorder();
        var result = new ContinuationBenchmark(Options).Run(drifted, Context(Reference(), null, records));
        result.Primary.Value.ShouldBe(Math.Exp(-0.5), 1e-12);
        result.Primary.StdErr.ShouldBe(0.0, 1e-12);
        result.Metrics[1].Value.ShouldBe(0.5, 1e-12);
        drifted.Scored.Select(s => s.Context).ShouldBe(["Once", "Once", "Once", "One day", "One day", "One day"]);
        drifted.Scored[0].Continuation.ShouldBe(" sample7");
        records.Items.ShouldAllBe(r => !r.Correct);
    }

    [Fact]
    public void Samples_are_cached_per_reference_id_and_settings()
    {
        using var dir = new TempDir();
        var reference = Reference();
        var benchmark = new ContinuationBenchmark(Options);
        benchmark.Run(new ScriptedModel { Score = r => -r.Continuation.Length }, Context(reference, dir.Path));
        reference.Generated.Count.ShouldBe(6);
        var files = Directory.GetFiles(dir.Path);
        files.Length.ShouldBe(1);
        Path.GetFileName(files[0]).ShouldStartWith("continuation-init-model-");

        var again = new ScriptedModel { Score = r => -2.0 * r.Continuation.Length };
        var result = benchmark.Run(again, Context(reference, dir.Path));
        reference.Generated.Count.ShouldBe(6, "the second run must read the cache");
        reference.Scored.Count.ShouldBe(6);
        result.Metrics[1].Value.ShouldBe(1.0, 1e-12);

        new ContinuationBenchmark(new ContinuationOptions { Prompts = ["Once"], SamplesPerPrompt = 2 }).Run(again, Context(reference, dir.Path));
        Directory.GetFiles(dir.Path).Length.ShouldBe(2);
    }

    [Fact]
    public void A_corrupt_cache_is_reported_with_its_path()
    {
        using var dir = new TempDir();
        var benchmark = new ContinuationBenchmark(Options);
        benchmark.Run(Reference(), Context(null, dir.Path));
        var file = Directory.GetFiles(dir.Path).Single();
        File.WriteAllText(file, "{ not json");
        Should.Throw<Retain.Data.DataException>(() => benchmark.Run(Reference(), Context(null, dir.Path))).Message.ShouldContain(file);
    }

    [Fact]
    public void Responses_cannot_be_scored()
    {
        Should.Throw<NotSupportedException>(() => new ContinuationBenchmark(Options).Score([new ResponseRecord(0, "x")], Context(null, null)));
    }
}
