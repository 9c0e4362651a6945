using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Merging;
using Retain.Kernel.Models;
using Retain.Kernel.Tokenization;
using Retain.Kernel.Training;
using Retain.Strategies.Dft;
using Retain.Strategies.Flow;
using Retain.Strategies.Kl;
using Retain.Strategies.L2;
using Retain.Strategies.Lora;
using Retain.Strategies.Standard;
using Retain.Strategies.Talr;
using Retain.Strategies.WiseFt;
using Retain.Testing;
using Retain.Training;

namespace Retain.Strategies.Tests;

/// <summary>
/// Each strategy trains the real stories260K model for a few steps through the real kernel; the loss the kernel
/// reports is recomputed here, independently, from the per-token NLLs it logged.
/// </summary>
public sealed class EndToEndTests : IDisposable
{
    private static readonly string Model = TestPaths.SharedFile("models", "stories260K");
    private readonly CpuBackend _backend = new(new CpuBackendOptions { Threads = 1 });

    private static IReadOnlyList<TrainingSequence> Sequences()
    {
        var tokenizer = Tokenizer.Load(Model);
        (string Prompt, string Target)[] texts =
        [
            ("Once upon a time, there was a cat.", " The cat liked to sleep in the sun."),
            ("Tom had a red ball.", " He threw it to his friend Sue, and she laughed."),
            ("The dog was sad.", " Then a bird sang a song and the dog was happy again."),
            ("Lily saw a big tree.", " She climbed it and saw the whole town."),
        ];
        return texts.Select((t, i) =>
        {
            var prompt = tokenizer.Encode(t.Prompt, addSpecialTokens: true);
            var target = tokenizer.Encode(t.Target);
            return new TrainingSequence([.. prompt, .. target], [.. prompt.Select(_ => false), .. target.Select(_ => true)], i);
        }).ToList();
    }

    private static TrainingOptions Options(int steps = 3) => new() { LearningRate = 3e-3, TotalSteps = steps, WarmupSteps = 0, MaxGradNorm = 1.0, Seed = 5 };

    private (TransformerModel Model, TrainingSession Session) Start(params ITrainingStrategy[] strategies)
    {
        var model = Checkpoint.Load(Model, _backend);
        return (model, new TrainingSession(model, Options(), strategies));
    }

    /// <summary>Runs steps and checks, for each, that Σ loss equals <paramref name="expected"/> applied to the logged tokens.</summary>
    private static void CheckSteps(TrainingSession session, Func<TokenBatch, double> expected, int steps = 3)
    {
        var sequences = Sequences();
        var batches = new[] { BatchBuilder.Pad(sequences.Take(2).ToList()), BatchBuilder.Pad(sequences.Skip(2).ToList()) };
        for (int s = 0; s < steps; s++)
        {
            var result = session.Step(batches);
            double recomputed = 0;
            for (int k = 0; k < session.LastMicroBatchCount; k++) recomputed += expected(session.LastTokens(k));
            (result.Loss - result.RegularizerLoss).ShouldBe(recomputed, Math.Abs(recomputed) * 1e-5 + 1e-7);
            double.IsFinite(result.Loss).ShouldBeTrue();
        }
    }

    private static IEnumerable<(int Sequence, double Mean)> SequenceMeans(TokenBatch b)
    {
        for (int s = 0; s < b.SequenceCount; s++)
        {
            var values = Enumerable.Range(0, b.Count).Where(i => b.Sequence[i] == s).Select(i => (double)b.Nll[i]).ToList();
            if (values.Count > 0) yield return (s, values.Average());
        }
    }

    [Fact]
    public void Standard_loss_is_the_mean_nll_of_the_step()
    {
        var (model, session) = Start(new StandardObjective());
        using (model) using (session) CheckSteps(session, b => b.Nll.ToArray().Sum(x => (double)x) / b.Normalizer);
    }

    [Fact]
    public void Talr_loss_is_the_floored_exponential_weighting_with_the_batch_median_temperature()
    {
        var (model, session) = Start(new TalrObjective(new TalrOptions()));
        using (model) using (session)
        {
            CheckSteps(session, b =>
            {
                var means = SequenceMeans(b).Select(m => m.Mean).Order().ToList();
                double tau = Math.Max(means[(means.Count - 1) / 2], 1e-6);
                return Enumerable.Range(0, b.Count).Sum(i => Math.Max(Math.Exp(-b.Nll[i] / tau), 0.01) * b.Nll[i]) / b.Normalizer;
            });
        }
    }

    [Fact]
    public void Dft_loss_weights_each_nll_by_its_probability()
    {
        var (model, session) = Start(new DftObjective());
        using (model) using (session) CheckSteps(session, b => Enumerable.Range(0, b.Count).Sum(i => Math.Exp(-b.Nll[i]) * b.Nll[i]) / b.Normalizer);
    }

    [Fact]
    public void Kl_adds_beta_k3_against_the_frozen_initial_model_whose_nll_the_kernel_logs()
    {
        var (model, session) = Start(new StandardObjective(), new KlObjective(new KlOptions { Beta = 0.5 }));
        using (model) using (session)
        {
            var first = true;
            CheckSteps(session, b =>
            {
                b.HasReference.ShouldBeTrue();
                if (first) b.ReferenceNll.ToArray().ShouldBe(b.Nll.ToArray(), 1e-5f); // step 1: the model is still the reference
                first = false;
                return Enumerable.Range(0, b.Count).Sum(i =>
                {
                    double d = b.Nll[i] - b.ReferenceNll[i];
                    return b.Nll[i] + 0.5 * (Math.Exp(d) - d - 1);
                }) / b.Normalizer;
            });
        }
    }

    [Fact]
    public void L2_regularizer_value_is_lambda_times_the_mean_squared_distance_to_the_initial_weights()
    {
        var initial = Checkpoint.Load(Model, _backend);
        var (model, session) = Start(new StandardObjective(), new L2ToInitial(new L2Options { Lambda = 10 }));
        using (initial) using (model) using (session)
        {
            var batch = new[] { BatchBuilder.Pad(Sequences()) };
            session.Step(batch).RegularizerLoss.ShouldBe(0); // θ = θ0 before the first update

            // The value the second step reports is λ/P·Σ(θ1 − θ0)² over the weights the first step left.
            double squared = 0;
            long count = 0;
            foreach (var tensor in model.Parameters.Tensors.Where(t => t.Trainable))
            {
                var now = model.Parameters.ReadHost(tensor);
                var start = initial.Parameters.ReadHost(initial.Parameters[tensor.Name]);
                for (int i = 0; i < now.Length; i++) squared += (double)(now[i] - start[i]) * (now[i] - start[i]);
                count += now.Length;
            }
            var second = session.Step(batch);
            squared.ShouldBeGreaterThan(0);
            second.RegularizerLoss.ShouldBe(10 * squared / count, 10 * squared / count * 1e-5);
            session.ParameterSpace.TrainableElementCount.ShouldBe(count);
        }
    }

    [Fact]
    public void Flow_weights_each_example_by_its_initial_loss_over_the_dataset_median()
    {
        var flow = new FlowStrategy(new FlowOptions { Cache = false });
        var (model, session) = Start(flow);
        using (model) using (session)
        {
            using var temp = new TempFolder();
            var sequences = Sequences();
            var context = new PretrainingContext(model, sequences, "stories", temp.Path);
            var initialLosses = context.ScoreTrainingSet();
            session.RunPretrainingPasses(context);
            var means = initialLosses.Select(l => l.Average(x => (double)x)).ToArray();
            var sorted = means.Order().ToArray();
            double tau = (sorted[1] + sorted[2]) / 2; // four examples: numpy's median
            flow.Temperature.ShouldBe(tau, 1e-9);
            CheckSteps(session, b => Enumerable.Range(0, b.Count).Sum(i => Math.Exp(-means[b.Example[i]] / tau) * b.Nll[i]) / b.Normalizer);
        }
    }

    [Fact]
    public void Lora_trains_only_the_adapters_and_its_merged_checkpoint_reproduces_the_adapted_model()
    {
        var (model, session) = Start(new LoraAdapter(new LoraOptions { Rank = 2, Alpha = 4, Dropout = 0, TargetModules = ["q_proj", "v_proj"] }));
        using (model) using (session)
        {
            var before = model.Parameters.ReadHost(model.Parameters["model.layers.0.self_attn.q_proj.weight"]);
            CheckSteps(session, b => b.Nll.ToArray().Sum(x => (double)x) / b.Normalizer);
            model.Parameters.ReadHost(model.Parameters["model.layers.0.self_attn.q_proj.weight"]).ShouldBe(before);
            model.Parameters.Tensors.Where(t => t.Trainable).ShouldAllBe(t => t.Name.Contains("lora_"));

            using var temp = new TempFolder();
            Checkpoint.Save(model, temp.Path, Model);
            session.ExportAdapters(temp.Path, Model);
            File.Exists(Path.Combine(temp.Path, "adapter_config.json")).ShouldBeTrue();
            File.Exists(Path.Combine(temp.Path, "adapter_model.safetensors")).ShouldBeTrue();
            using var merged = Checkpoint.Load(temp.Path, _backend);
            var sequences = Sequences();
            var scorer = new Retain.Kernel.Inference.Scorer(model).TokenLogProbs([sequences[0].Ids])[0];
            var mergedScores = new Retain.Kernel.Inference.Scorer(merged).TokenLogProbs([sequences[0].Ids])[0];
            mergedScores.Skip(1).ToArray().ShouldBe(scorer.Skip(1).ToArray(), 1e-4f);
        }
    }

    [Fact]
    public void WiseFt_alpha_zero_and_one_reproduce_the_initial_and_fine_tuned_checkpoints()
    {
        var (model, session) = Start(new StandardObjective());
        using (model) using (session)
        {
            CheckSteps(session, b => b.Nll.ToArray().Sum(x => (double)x) / b.Normalizer, steps: 2);
            using var temp = new TempFolder();
            var tuned = Path.Combine(temp.Path, "tuned");
            Checkpoint.Save(model, tuned, Model);
            var merged = CheckpointMerger.Run(new WiseFtMerge(new WiseFtOptions { Alphas = [0, 0.5, 1] }), Model, tuned, Path.Combine(temp.Path, "merged"));
            merged.Select(m => m.Label).ShouldBe(["alpha=0.00", "alpha=0.50", "alpha=1.00"]);

            using var initial = Checkpoint.Load(Model, _backend);
            using var zero = Checkpoint.Load(merged[0].Directory, _backend);
            using var half = Checkpoint.Load(merged[1].Directory, _backend);
            using var one = Checkpoint.Load(merged[2].Directory, _backend);
            foreach (var tensor in model.Parameters.Tensors)
            {
                var a = initial.Parameters.ReadHost(initial.Parameters[tensor.Name]);
                var b = model.Parameters.ReadHost(tensor);
                zero.Parameters.ReadHost(zero.Parameters[tensor.Name]).ShouldBe(a);
                one.Parameters.ReadHost(one.Parameters[tensor.Name]).ShouldBe(b);
                half.Parameters.ReadHost(half.Parameters[tensor.Name]).ShouldBe(a.Zip(b, (x, y) => 0.5f * x + 0.5f * y).ToArray(), 1e-6f);
            }
        }
    }

    public void Dispose() => _backend.Dispose();
}
