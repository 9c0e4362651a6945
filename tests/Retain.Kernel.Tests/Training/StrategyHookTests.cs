using Retain.Kernel.Merging;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Training;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Training;

public sealed class StrategyHookTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("retain-hooks").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>L2 to the initial weights, R = λ Σ (θ − θ0)², as the L2 strategy would write it.</summary>
    private sealed class L2(double lambda) : IGradientRegularizer
    {
        public bool NeedsInitialWeights => true;
        public List<double> Values { get; } = [];

        public double Apply(IParameterSpace parameters, IMetricSink metrics)
        {
            double value = 0;
            for (int p = 0; p < parameters.Trainable.Count; p++)
            {
                value += lambda * parameters.SquaredDistanceToInitial(p);
                parameters.AddDistanceToInitialGradient(p, (float)(2 * lambda));
            }
            Values.Add(value);
            return value;
        }
    }

    [Fact]
    public void Regularizer_sees_the_distance_to_the_initial_weights()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var initial = TrainingTestData.AllValues(model);
        var l2 = new L2(0.5);
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(3, 512, 2));
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-3, TotalSteps = 3 }, [l2]);
        var first = session.Step([batch]);
        first.RegularizerLoss.ShouldBe(0);
        var moved = TrainingTestData.AllValues(model);
        var second = session.Step([batch]);
        double expected = 0.5 * moved.Select((v, i) => ((double)v - initial[i]) * ((double)v - initial[i])).Sum();
        second.RegularizerLoss.ShouldBe(expected, expected * 1e-5);
        second.Loss.ShouldBeGreaterThan(second.RegularizerLoss);
    }

    [Fact]
    public void Parameter_space_reads_and_updates_gradients()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        model.Parameters.EnsureGradients();
        using var space = new ParameterSpace(model, keepInitial: true);
        space.TrainableElementCount.ShouldBe(model.Parameters.ElementCount);
        int p = space.Trainable.Select(t => t.Name).ToList().IndexOf("model.norm.weight");
        var tensor = model.Parameters["model.norm.weight"];
        var theta0 = model.Parameters.ReadHost(tensor);
        backend.Upload(theta0.Select(v => v + 1f).ToArray(), tensor.Value);
        space.SquaredDistanceToInitial(p).ShouldBe(64, 1e-9);
        space.AddDistanceToInitialGradient(p, 3f);
        space.AddToGradient(p, Enumerable.Repeat(0.5f, 64).ToArray());
        var grad = new float[64];
        backend.Download(tensor.Gradient, grad);
        grad.ShouldAllBe(g => Math.Abs(g - 3.5f) < 1e-6);
        var read = new float[64];
        space.ReadInitialValues(p, read);
        read.ShouldBe(theta0);
        using var without = new ParameterSpace(model, keepInitial: false);
        Should.Throw<InvalidOperationException>(() => without.SquaredDistanceToInitial(p)).Message.ShouldContain("NeedsInitialWeights");
    }

    private sealed class WiseFt(params double[] alphas) : IPostTrainingMerge
    {
        public void Merge(IMergeContext context)
        {
            foreach (var alpha in alphas)
            {
                context.AddCandidate($"alpha={alpha:F2}", (_, theta0, theta1, result) =>
                {
                    for (int i = 0; i < result.Length; i++) result[i] = (float)((1 - alpha) * theta0[i] + alpha * theta1[i]);
                });
            }
        }
    }

    [Fact]
    public void Post_training_merges_write_one_checkpoint_per_candidate()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var initial = TrainingTestData.AllValues(model);
        using (var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-2, TotalSteps = 1 }))
        {
            session.Step([BatchBuilder.Pad(TrainingTestData.Sequences(2, 512, 1))]);
        }
        var tuned = TrainingTestData.AllValues(model);
        string ft = Path.Combine(_dir, "ft");
        Checkpoint.Save(model, ft, TrainingTestData.Stories);

        var merged = CheckpointMerger.Run(new WiseFt(0.5, 1.0), TrainingTestData.Stories, ft, Path.Combine(_dir, "merges"));
        merged.Select(m => m.Label).ShouldBe(["alpha=0.50", "alpha=1.00"]);
        using var half = Checkpoint.Load(merged[0].Directory, backend);
        RelativeError(TrainingTestData.AllValues(half), initial.Select((v, i) => 0.5 * v + 0.5 * tuned[i]).ToArray()).ShouldBeLessThan(1e-7);
        using var one = Checkpoint.Load(merged[1].Directory, backend);
        ShouldBeBitwiseEqual(TrainingTestData.AllValues(one), tuned, "alpha = 1");
        File.Exists(Path.Combine(merged[0].Directory, "tokenizer.json")).ShouldBeTrue();
    }

    private sealed class FlowLikePass : IPretrainingPass
    {
        public IReadOnlyList<float[]>? Scores { get; private set; }
        public string? ModelHash { get; private set; }
        public string? DataHash { get; private set; }

        public void Run(IPretrainingContext context)
        {
            ModelHash = context.ModelHash;
            DataHash = context.DataHash;
            Scores = context.ScoreTrainingSet();
            context.Metrics.Record("examples", context.ExampleCount);
        }
    }

    [Fact]
    public void Pretraining_pass_scores_every_example_with_the_initial_model()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var sequences = TrainingTestData.Sequences(7, 512, 8);
        var pass = new FlowLikePass();
        using var session = new TrainingSession(model, new TrainingOptions(), [pass]);
        string hash = ContentHash.OfModelDirectory(TrainingTestData.Stories);
        session.RunPretrainingPasses(new PretrainingContext(model, sequences, hash, _dir, rowLength: 48, rowsPerBatch: 2));
        pass.ModelHash.ShouldBe(hash);
        pass.DataHash.ShouldBe(ContentHash.OfSequences(sequences));
        pass.DataHash.ShouldNotBe(ContentHash.OfSequences(sequences.Select(s => s with { Supervised = s.Supervised.Select((b, i) => b || i == 1).ToArray() }).ToArray()));
        pass.Scores!.Count.ShouldBe(7);
        for (int e = 0; e < 7; e++)
        {
            var single = BatchBuilder.Pad([sequences[e]]);
            model.Forward(single.Inputs, training: false);
            var nll = new float[single.ScoredCount];
            model.ReadNll(nll);
            RelativeError(pass.Scores[e], ToDouble(nll)).ShouldBeLessThan(1e-5);
        }
    }
}
