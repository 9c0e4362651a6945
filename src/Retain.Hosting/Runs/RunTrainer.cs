using System.Diagnostics;
using System.Text.Json;
using Retain.Hosting.Configuration;
using Retain.Hosting.Models;
using Retain.Hosting.Reports;
using Retain.Kernel.Merging;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Hosting.Runs;

/// <summary>
/// Trains and evaluates one run of a sweep, resumably. The folder holds <c>run.json</c> (settings and hash),
/// <c>metrics.jsonl</c>, <c>last/</c> (the resumable state, saved atomically every few steps and at each validation),
/// <c>best/</c> (the checkpoint with the best domain validation score, Hugging Face layout), <c>eval/</c> (per-item
/// records) and, once finished, <c>result.json</c>. A run found with a state of the same hash continues from it and
/// replays the same batches, so it reaches the same result as an uninterrupted run. A NaN or infinite loss stops the
/// run (status <c>diverged</c>) keeping its last good state.
/// </summary>
public sealed class RunTrainer(SweepContext sweep, RunSpec spec, ISweepObserver observer)
{
    private readonly string _directory = Path.Combine(sweep.Plan.Directory, spec.Name);
    private string BestDirectory => Path.Combine(_directory, "best");
    private string LastDirectory => Path.Combine(_directory, "last");

    /// <summary>The result file of a run folder.</summary>
    public static string ResultPath(string runDirectory) => Path.Combine(runDirectory, "result.json");

    /// <summary>Trains, selects, evaluates; returns and writes the result.</summary>
    public RunResult Execute()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, "run.json"), JsonSerializer.Serialize(new
        {
            name = spec.Name, method = spec.Method.Label, learningRate = spec.LearningRate, seed = spec.Seed, hash = spec.Hash,
            strategies = spec.Method.Strategies.Select(s => s.Name),
        }, new JsonSerializerOptions { WriteIndented = true }));

        var strategies = CreateStrategies();
        var config = sweep.Bound.Config;
        var schedule = new TrainingSchedule(sweep.TrainSequences, config.Training.Epochs, config.Training.MaxSteps, config.Training.BatchSize,
            config.Training.GradientAccumulation, config.Data.Packing, sweep.Encoder.Template is null ? config.Data.MaxLength : Math.Min(config.Data.MaxLength, sweep.Initial.Language.MaxSequenceLength),
            spec.Seed, sweep.PadId);
        var options = new TrainingOptions
        {
            LearningRate = spec.LearningRate,
            TotalSteps = schedule.TotalSteps,
            WarmupSteps = (int)Math.Ceiling(config.Training.WarmupRatio * schedule.TotalSteps),
            Schedule = config.Training.Schedule switch
            {
                ScheduleKind.Linear => LearningRateScheduleKind.Linear,
                ScheduleKind.Constant => LearningRateScheduleKind.Constant,
                _ => LearningRateScheduleKind.Cosine,
            },
            Beta1 = config.Training.Beta1,
            Beta2 = config.Training.Beta2,
            Epsilon = config.Training.Epsilon,
            WeightDecay = config.Training.WeightDecay,
            MaxGradNorm = config.Training.MaxGradNorm,
            Seed = spec.Seed,
        };

        var outcome = Train(strategies, schedule, options);
        if (outcome.Failure is { } failure)
        {
            var diverged = new RunResult { Run = spec.Name, Method = spec.Method.Label, LearningRate = spec.LearningRate, Seed = spec.Seed, Status = "diverged", Error = failure, Steps = outcome.Steps, SelectedStep = outcome.BestStep };
            Write(diverged);
            return diverged;
        }

        observer.Status(spec.Name, "evaluating the selected checkpoint");
        var scores = Evaluate(BestDirectory, outcome.BestScore, "eval");
        var candidates = new List<CandidateResult>();
        foreach (var (name, merge) in strategies.OfType<IPostTrainingMerge>().Select(m => (spec.Method.Strategies.First().Name, m)))
        {
            observer.Status(spec.Name, "merging checkpoints");
            var mergedRoot = Path.Combine(_directory, "merged");
            // Written as best/ is (the sweep's save dtype), so the scores are those of what 'retain export' writes.
            foreach (var merged in CheckpointMerger.Run(merge, sweep.ModelDirectory, BestDirectory, mergedRoot, sweep.SaveOptions))
            {
                observer.Status(spec.Name, $"evaluating merged checkpoint {merged.Label}");
                candidates.Add(new CandidateResult { Label = merged.Label, Scores = Evaluate(merged.Directory, null, Path.Combine("eval", CheckpointMerger.DirectoryName(merged.Label))) });
                Directory.Delete(merged.Directory, recursive: true); // bounded disk: scores are kept, weights are reproducible from best/
            }
        }
        var result = new RunResult
        {
            Run = spec.Name, Method = spec.Method.Label, LearningRate = spec.LearningRate, Seed = spec.Seed, Status = "completed",
            Steps = outcome.Steps, SelectedStep = outcome.BestStep, Selection = Selection(), Scores = scores, Candidates = candidates,
        };
        Write(result);
        return result;
    }

    /// <summary>The selection facts, from the whole validation curve in metrics.jsonl (so a resumed run sees it all).</summary>
    private SelectionResult? Selection()
        => SelectionResult.Of(SweepResults.ReadMetrics(Path.Combine(_directory, "metrics.jsonl"))
            .Where(r => r.Values.ContainsKey("validation")).Select(r => (r.Step, r.Values["validation"])).ToList());

    private sealed record TrainOutcome(int Steps, double? BestScore, int? BestStep, string? Failure);

    private TrainOutcome Train(IReadOnlyList<ITrainingStrategy> strategies, TrainingSchedule schedule, TrainingOptions options)
    {
        var config = sweep.Bound.Config;
        using var model = Checkpoint.Load(sweep.ModelDirectory, sweep.Backend);
        using var session = new TrainingSession(model, options, strategies);
        var metrics = new StepMetrics();
        var sinks = new StrategySinks(strategies.Select((s, i) => (s, metrics.For(spec.Method.Strategies[i].Name))).ToList());

        if (session.PretrainingPasses.Count > 0)
        {
            observer.Status(spec.Name, "pre-training pass with the initial model");
            var context = new PretrainingContext(model, sweep.TrainSequences, sweep.Initial.Language.Id, sweep.CacheDirectory, metrics.For("pretraining"));
            session.RunPretrainingPasses(context);
        }

        int step = 0;
        double? bestScore = null;
        int? bestStep = null;
        double elapsed = 0;
        var last = AtomicDirectory.Existing(LastDirectory);
        var state = last is null ? null : RunState.Read(Path.Combine(last, "state.json"));
        if (state is not null && state.Hash == spec.Hash && state.Step <= schedule.TotalSteps)
        {
            session.LoadState(last!);
            (step, bestScore, bestStep, elapsed) = (state.Step, state.BestScore, state.BestStep, state.ElapsedSeconds);
            observer.Status(spec.Name, $"resuming at step {step}");
        }
        else
        {
            foreach (var stale in new[] { LastDirectory, LastDirectory + ".old", BestDirectory, BestDirectory + ".old" })
            {
                if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true);
            }
        }

        using var log = MetricsLog.Open(Path.Combine(_directory, "metrics.jsonl"), step);
        var language = new Kernel.Inference.KernelLanguageModel(model, sweep.Initial.Tokenizer, sweep.Encoder.Template.Render,
            new Kernel.Inference.KernelLanguageModelOptions { Name = spec.Name, Id = "training-" + spec.Hash });
        observer.RunStarted(spec, step, schedule.TotalSteps);
        var clock = Stopwatch.StartNew();
        while (step < schedule.TotalSteps)
        {
            var (batches, tokens) = schedule.Step(step);
            var start = clock.Elapsed.TotalSeconds;
            var result = session.Step(batches, schedule.EpochOf(step), sinks);
            double seconds = clock.Elapsed.TotalSeconds - start;
            if (!double.IsFinite(result.Loss) || !double.IsFinite(result.GradNorm))
            {
                var kept = state is null && bestStep is null ? "no checkpoint was saved yet" : $"the last good state is kept in {LastDirectory}";
                var message = $"the loss became {(double.IsNaN(result.Loss) ? "NaN" : result.Loss.ToString(System.Globalization.CultureInfo.InvariantCulture))} at step {step + 1} (learning rate {spec.LearningRate:0.##e-00}); the run stopped and {kept}.";
                observer.Status(spec.Name, message);
                log.Write(new Dictionary<string, object?> { ["step"] = step + 1, ["diverged"] = true, ["loss"] = result.Loss });
                return new TrainOutcome(step, bestScore, bestStep, message);
            }
            step = result.Step;
            elapsed += seconds;
            var record = new Dictionary<string, object?>
            {
                ["step"] = step, ["epoch"] = schedule.EpochOf(step - 1), ["loss"] = result.Loss, ["nll"] = result.MeanNll, ["lr"] = result.LearningRate,
                ["grad_norm"] = result.GradNorm, ["regularizer"] = result.RegularizerLoss, ["supervised_tokens"] = result.SupervisedTokens,
                ["tokens"] = tokens, ["tokens_per_s"] = tokens / Math.Max(seconds, 1e-9),
            };
            foreach (var (name, value) in metrics.Drain()) record[name] = value;
            var (easy, meanProbability) = TokenProbabilities(session, config.Training.TokenProbabilityThreshold);
            record["tokens/easy_fraction"] = easy;
            record["tokens/p_mean"] = meanProbability;
            observer.StepCompleted(spec, result, schedule.TotalSteps, tokens / Math.Max(seconds, 1e-9));

            bool validate = (config.Validation.EverySteps > 0 && step % config.Validation.EverySteps == 0) || step == schedule.TotalSteps;
            if (validate)
            {
                observer.Status(spec.Name, $"validating at step {step}");
                var score = DomainEvaluation.Evaluate(language, sweep.Evaluator, sweep.Encoder, sweep.Validation, null).Value;
                record["validation"] = score;
                // Ties keep the earlier checkpoint: the same domain score with less drift.
                if (bestScore is null || score > bestScore)
                {
                    (bestScore, bestStep) = (score, step);
                    AtomicDirectory.Replace(BestDirectory, d =>
                    {
                        Checkpoint.Save(model, d, sweep.ModelDirectory, sweep.SaveOptions);
                        session.ExportAdapters(d, sweep.ModelDirectory);
                    });
                }
            }
            log.Write(record);
            if (validate || step % config.Training.CheckpointEverySteps == 0 || step == schedule.TotalSteps)
            {
                var snapshot = new RunState { Hash = spec.Hash, Step = step, BestScore = bestScore, BestStep = bestStep, ElapsedSeconds = elapsed };
                AtomicDirectory.Replace(LastDirectory, d =>
                {
                    session.SaveState(d);
                    snapshot.Write(Path.Combine(d, "state.json"));
                });
                state = snapshot;
            }
        }
        return new TrainOutcome(step, bestScore, bestStep, null);
    }

    /// <summary>Share of the step's supervised tokens with p ≥ threshold, and their mean probability (before the update).</summary>
    private static (double Easy, double Mean) TokenProbabilities(TrainingSession session, double threshold)
    {
        double nllThreshold = -Math.Log(Math.Max(threshold, 1e-300));
        long count = 0, easy = 0;
        double sum = 0;
        for (int k = 0; k < session.LastMicroBatchCount; k++)
        {
            var nll = session.LastTokens(k).Nll;
            for (int i = 0; i < nll.Length; i++)
            {
                if (nll[i] <= nllThreshold) easy++;
                sum += Math.Exp(-nll[i]);
            }
            count += nll.Length;
        }
        return count == 0 ? (0, 0) : ((double)easy / count, sum / count);
    }

    private ModelScores Evaluate(string checkpoint, double? validation, string recordsFolder)
    {
        using var loaded = LoadedModel.Load(checkpoint, sweep.Backend, ownsBackend: false, sweep.Bound.Config.ChatTemplate ?? sweep.Encoder.Template.Name, name: spec.Name);
        var records = Path.Combine(_directory, recordsFolder);
        var domain = DomainEvaluation.Evaluate(loaded.Language, sweep.Evaluator, sweep.Encoder, sweep.Test, Path.Combine(records, "domain-test.jsonl"));
        var details = new Dictionary<string, double>();
        var benchmarks = sweep.General.Run(loaded.Language, sweep.Initial.Language, records, s => observer.Status(spec.Name, s), details: details);
        // Benchmarks are scored relative to the initial model's: only then does a run need the Init cell done.
        var initial = sweep.Bound.Config.Benchmarks.Count == 0 ? [] : Execution.InitialEvaluation.Ensure(sweep, observer).Benchmarks;
        return sweep.General.Scores(domain, validation, benchmarks, initial, details);
    }

    private List<ITrainingStrategy> CreateStrategies()
    {
        var errors = new List<ConfigurationError>();
        var binder = sweep.Bound.Configuration.Binder;
        var strategies = spec.Method.Strategies.Select(r => sweep.Host.Components.Create<ITrainingStrategy>(PluginKind.Strategy, r, binder, errors)).ToList();
        if (errors.Count > 0) throw new ConfigurationException(errors);
        return strategies.Select(s => s!).ToList();
    }

    // The one way a cell's result.json is written (atomically, a temporary file unique to this process).
    private void Write(RunResult result) => Execution.CellRunner.WriteResult(_directory, result);

    /// <summary>Each strategy's metrics under its component name (<c>talr/tau</c>).</summary>
    private sealed class StrategySinks(IReadOnlyList<(ITrainingStrategy Strategy, IMetricSink Sink)> sinks) : IMetricSink, IStrategyMetricSinks
    {
        public IMetricSink For(ITrainingStrategy strategy) => sinks.First(s => ReferenceEquals(s.Strategy, strategy)).Sink;

        public void Record(string name, double value) => sinks[0].Sink.Record(name, value);
    }
}
