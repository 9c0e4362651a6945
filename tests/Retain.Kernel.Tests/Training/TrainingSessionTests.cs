using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Training;
using Xunit.Abstractions;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Training;

public sealed class TrainingSessionTests(ITestOutputHelper output)
{
    /// <summary>A primary objective with fixed per-token weights w_i (constants for the gradient): loss_i = w_i ℓ_i / N.</summary>
    private sealed class WeightedObjective(Func<TokenBatch, int, float> weight) : ITokenObjective
    {
        public bool IsPrimary => true;

        public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                float w = weight(batch, i);
                loss[i] += w * batch.Nll[i] / batch.Normalizer;
                coefficient[i] += w / batch.Normalizer;
            }
            metrics.Record("weight_mean", 1);
        }
    }

    /// <summary>An additive term that needs the reference NLL (k3 KL, as the KL strategy would).</summary>
    private sealed class KlObjective(float beta) : ITokenObjective
    {
        public bool IsPrimary => false;
        public TokenObjectiveNeeds Needs => TokenObjectiveNeeds.ReferenceNll;
        public List<(float Nll, float Ref)> Seen { get; } = [];

        public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
        {
            batch.HasReference.ShouldBeTrue();
            for (int i = 0; i < batch.Count; i++)
            {
                Seen.Add((batch.Nll[i], batch.ReferenceNll[i]));
                double d = -batch.ReferenceNll[i] + batch.Nll[i];
                loss[i] += (float)(beta * (Math.Exp(d) - d - 1) / batch.Normalizer);
                coefficient[i] -= (float)(beta * (1 - Math.Exp(d)) / batch.Normalizer);
            }
        }
    }

    [Fact]
    public void Loss_of_a_fixed_batch_decreases_over_20_steps()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var batch = BatchBuilder.Pack(TrainingTestData.Sequences(8, model.Config.VocabSize, 1), 64, 4).Single();
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-3, TotalSteps = 20, WarmupSteps = 2 });
        var losses = new List<double>();
        for (int s = 0; s < 20; s++) losses.Add(session.Step([batch]).Loss);
        output.WriteLine(string.Join(" ", losses.Select(l => l.ToString("F4"))));
        losses[^1].ShouldBeLessThan(losses[0] * 0.8);
        for (int s = 3; s < 20; s++) losses[s].ShouldBeLessThan(losses[s - 3]);
    }

    [Fact]
    public void Accumulating_two_micro_batches_equals_one_batch_holding_both()
    {
        var seqs = TrainingTestData.Sequences(6, 512, 2);
        float[] Train(bool split)
        {
            using var backend = TrainingTestData.Backend();
            using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
            using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-3, TotalSteps = 2, MaxGradNorm = 0.5 });
            var batches = split ? new[] { BatchBuilder.Pad(seqs[..3]), BatchBuilder.Pad(seqs[3..]) } : [BatchBuilder.Pad(seqs)];
            session.Step(batches);
            session.Step(batches);
            return TrainingTestData.AllValues(model);
        }
        var whole = Train(split: false);
        RelativeError(Train(split: true), ToDouble(whole)).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Weighted_objective_sets_the_loss_and_gradients_and_exposes_per_token_nll()
    {
        var fixture = Retain.Kernel.Tests.Models.ReferenceFixture.Load("qwen3");
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(fixture.ModelDirectory, backend);
        var batch = fixture.TrainingBatch();
        int n = batch.ScoredTokens.Length;
        // w_i = N·c_i reproduces the fixture's non-uniform coefficients c_i.
        var objective = new WeightedObjective((_, i) => fixture.Coefficients[i] * n);
        var sink = new RecordingSink();
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 0, MaxGradNorm = 0 }, [objective]);
        var tb = new TrainingBatch(batch, 4, new int[n], Enumerable.Range(0, n).ToArray(), new int[n], [0, 1, 2, 3]);
        var result = session.Step([tb], metrics: sink);

        var nll = session.LastTokens(0).Nll.ToArray();
        double recomputed = nll.Select((v, i) => (double)fixture.Coefficients[i] * v).Sum();
        Math.Abs(result.Loss - recomputed).ShouldBeLessThan(1e-6 * Math.Abs(recomputed));
        Math.Abs(result.Loss - fixture.Expected.ReadFloat32("loss")[0]).ShouldBeLessThan(1e-4 * result.Loss);
        session.LastCoefficients(0).ToArray().ShouldBe(fixture.Coefficients, tolerance: 1e-7);
        sink.Names.ShouldContain("weight_mean");
        foreach (var t in model.Parameters.Tensors)
        {
            var g = new float[t.Length];
            backend.Download(t.Gradient, g);
            RelativeError(g, ToDouble(fixture.Expected.ReadFloat32("grad." + t.Name))).ShouldBeLessThan(1e-4, t.Name);
        }
    }

    private sealed class RecordingSink : IMetricSink
    {
        public HashSet<string> Names { get; } = [];
        public void Record(string name, double value) => Names.Add(name);
    }

    [Fact]
    public void Reference_nll_comes_from_the_frozen_initial_model()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(3, model.Config.VocabSize, 4));
        var kl = new KlObjective(0.1f);
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-3, TotalSteps = 3 }, [kl]);
        session.ReferenceModel.ShouldNotBeNull();
        session.Step([batch]);
        kl.Seen.ShouldAllBe(p => p.Nll == p.Ref);
        kl.Seen.Clear();
        session.Step([batch]);
        kl.Seen.Count(p => Math.Abs(p.Nll - p.Ref) > 1e-4).ShouldBeGreaterThan(0);
        // The reference stays the initial model: a fresh load scores the same.
        using var fresh = Checkpoint.Load(TrainingTestData.Stories, backend);
        fresh.Forward(batch.Inputs, training: false);
        var expected = new float[batch.ScoredCount];
        fresh.ReadNll(expected);
        kl.Seen.Select(p => p.Ref).ToArray().ShouldBe(expected);
    }

    [Fact]
    public void A_resumed_run_continues_bit_for_bit()
    {
        var dir = Directory.CreateTempSubdirectory("retain-resume").FullName;
        try
        {
            var seqs = TrainingTestData.Sequences(4, 512, 9);
            var batch = BatchBuilder.Pad(seqs);
            var options = new TrainingOptions { LearningRate = 2e-3, TotalSteps = 4, WarmupSteps = 1, WeightDecay = 0.1 };
            float[] straight;
            using (var backend = TrainingTestData.Backend())
            using (var model = Checkpoint.Load(TrainingTestData.Stories, backend))
            using (var session = new TrainingSession(model, options))
            {
                for (int s = 0; s < 4; s++) session.Step([batch]);
                straight = TrainingTestData.AllValues(model);
            }
            using (var backend = TrainingTestData.Backend())
            using (var model = Checkpoint.Load(TrainingTestData.Stories, backend))
            using (var session = new TrainingSession(model, options))
            {
                session.Step([batch]);
                session.Step([batch]);
                session.SaveState(dir);
            }
            using (var backend = TrainingTestData.Backend())
            using (var model = Checkpoint.Load(TrainingTestData.Stories, backend))
            using (var session = new TrainingSession(model, options))
            {
                session.LoadState(dir);
                session.StepCount.ShouldBe(2);
                session.Step([batch]);
                session.Step([batch]);
                ShouldBeBitwiseEqual(TrainingTestData.AllValues(model), straight, "parameters after resume");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Training_steps_allocate_nothing_once_buffers_are_sized()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var batches = BatchBuilder.Pack(TrainingTestData.Sequences(16, model.Config.VocabSize, 3), 64, 4);
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-4, TotalSteps = 10 });
        session.Reserve(4, 64, batches.Max(b => b.ScoredCount), batches.Count);
        session.Step(batches);
        session.Step(batches);
        // The caller's thread and the backend's workers are the only threads a step runs on.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long workersBefore = backend.WorkerAllocatedBytes;
        for (int i = 0; i < 3; i++) session.Step(batches);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Thread.Sleep(50);
        long workers = backend.WorkerAllocatedBytes - workersBefore;
        output.WriteLine($"{allocated} bytes on the calling thread, {workers} on workers, over 3 steps");
        allocated.ShouldBe(0);
        workers.ShouldBe(0);
    }

    [Fact]
    public void Frozen_tensors_keep_their_values_and_get_no_gradient()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        var frozen = model.Parameters.Tensors.Where(t => t.Name.Contains("layers.0.") || t.Name == "model.embed_tokens.weight").ToArray();
        foreach (var t in frozen) t.Trainable = false;
        model.Parameters.InvalidateRuns();
        var before = frozen.ToDictionary(t => t.Name, t => model.Parameters.ReadHost(t));
        var changing = model.Parameters["model.layers.3.mlp.up_proj.weight"];
        var changingBefore = model.Parameters.ReadHost(changing);
        using var session = new TrainingSession(model, new TrainingOptions { LearningRate = 1e-2, TotalSteps = 2 });
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(3, 512, 12));
        session.Step([batch]);
        session.Step([batch]);
        foreach (var t in frozen)
        {
            t.Gradient.IsNone.ShouldBeTrue(t.Name);
            ShouldBeBitwiseEqual(model.Parameters.ReadHost(t), before[t.Name], t.Name);
        }
        session.ParameterSpace.Trainable.Select(p => p.Name).ShouldNotContain("model.embed_tokens.weight");
        model.Parameters.ReadHost(changing).SequenceEqual(changingBefore).ShouldBeFalse();
    }

    [Fact]
    public void Scoring_between_forward_and_backward_leaves_the_training_step_unchanged()
    {
        using var backend = TrainingTestData.Backend();
        using var model = Checkpoint.Load(TrainingTestData.Stories, backend);
        model.Parameters.EnsureGradients();
        var batch = BatchBuilder.Pad(TrainingTestData.Sequences(3, 512, 21));
        var other = BatchBuilder.Pack(TrainingTestData.Sequences(5, 512, 22), 96, 2).Single();
        var coefficients = Enumerable.Repeat(1f / batch.ScoredCount, batch.ScoredCount).ToArray();
        float[] Gradients(bool interleave)
        {
            model.Parameters.ZeroGradients();
            model.Forward(batch.Inputs, training: true);
            if (interleave)
            {
                model.Forward(other.Inputs, training: false);
                new Retain.Kernel.Inference.Scorer(model).TokenLogProbs([[1, 5, 9, 300]]);
            }
            model.Backward(coefficients);
            return model.Parameters.Tensors.SelectMany(t =>
            {
                var g = new float[t.Length];
                backend.Download(t.Gradient, g);
                return g;
            }).ToArray();
        }
        ShouldBeBitwiseEqual(Gradients(interleave: true), Gradients(interleave: false), "gradients");
    }

    [Fact]
    public void Options_are_validated_and_the_schedule_follows_warmup_and_cosine()
    {
        Should.Throw<ArgumentException>(() => new TrainingOptions { WarmupSteps = 5, TotalSteps = 3 }.Validate()).Message.ShouldContain("WarmupSteps");
        var o = new TrainingOptions { LearningRate = 1, TotalSteps = 10, WarmupSteps = 2 };
        o.LearningRateAt(0).ShouldBe(0);
        o.LearningRateAt(1).ShouldBe(0.5);
        o.LearningRateAt(2).ShouldBe(1);
        o.LearningRateAt(6).ShouldBe(0.5, 1e-12);
        o.LearningRateAt(10).ShouldBe(0, 1e-12);
        (o with { MinLearningRateRatio = 0.1 }).LearningRateAt(10).ShouldBe(0.1, 1e-12);
    }
}
