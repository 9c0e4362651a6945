using Retain.Strategies.Flow;
using Retain.Training;

namespace Retain.Strategies.Tests;

public class FlowTests
{
    // Per-example initial-model token losses: means 1, 2, 4 and an example without supervised tokens.
    private static readonly float[][] Losses = [[0.5f, 1.5f], [2f], [3f, 5f], []];

    [Fact]
    public void Flow_tau_is_the_dataset_median_and_weights_are_exp_minus_loss_over_tau()
    {
        var flow = new FlowStrategy(new FlowOptions());
        flow.SetLosses(Losses, new RecordingSink());

        flow.Temperature.ShouldBe(2.0);
        // Example 0 (w = e^-0.5), example 2 (w = e^-2) in one micro-batch of N = 4 tokens; no floor, no normalisation.
        var (loss, coefficient, _) = Batches.Run(flow, Batches.Of(4, null, [[1f, 1f], [0.5f, 0.5f]], examples: [0, 2]));
        coefficient.ShouldBe([(float)(Math.Exp(-0.5) / 4), (float)(Math.Exp(-0.5) / 4), (float)(Math.Exp(-2) / 4), (float)(Math.Exp(-2) / 4)], 1e-7f);
        loss.Sum().ShouldBe((float)((Math.Exp(-0.5) * 2 + Math.Exp(-2) * 1) / 4), 1e-6f);
    }

    [Fact]
    public void Flow_median_of_an_even_count_is_the_mean_of_the_middle_values_like_numpy()
    {
        FlowStrategy.Median([4, 1, 3, 2]).ShouldBe(2.5);
        FlowStrategy.Median([5, 1, 3]).ShouldBe(3);
    }

    [Fact]
    public void Flow_token_level_weights_each_token_by_its_own_initial_loss()
    {
        var flow = new FlowStrategy(new FlowOptions { Level = FlowLevel.Token, Tau = "1" });
        flow.SetLosses(Losses, new RecordingSink());
        var (_, coefficient, _) = Batches.Run(flow, Batches.Of(2, null, [[9f, 9f]], examples: [2]));
        coefficient.ShouldBe([(float)(Math.Exp(-3) / 2), (float)(Math.Exp(-5) / 2)], 1e-8f);
    }

    [Fact]
    public void Flow_scores_the_training_set_once_and_then_reads_its_cache()
    {
        using var temp = new Retain.Testing.TempFolder();
        var context = new CountingContext(temp.Path);
        new FlowStrategy(new FlowOptions()).Run(context);
        var second = new FlowStrategy(new FlowOptions());
        second.Run(context);

        context.Scored.ShouldBe(1);
        second.Temperature.ShouldBe(2.0);
        new FlowStrategy(new FlowOptions { Cache = false }).Run(context);
        context.Scored.ShouldBe(2);
    }

    private sealed class CountingContext(string cache) : IPretrainingContext
    {
        public int Scored { get; private set; }
        public int ExampleCount => Losses.Length;
        public string ModelHash => "model";
        public string DataHash => "data";
        public string CacheDirectory => cache;
        public IMetricSink Metrics { get; } = new RecordingSink();

        public IReadOnlyList<float[]> ScoreTrainingSet(IProgress<double>? progress = null)
        {
            Scored++;
            return Losses;
        }
    }
}
