using System.Text.Json;
using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Configuration;
using Retain.Hosting.Data;
using Retain.Hosting.Evaluation;
using Retain.Hosting.Models;
using Retain.Kernel.Backends;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Plugins;

namespace Retain.Hosting.Runs;

/// <summary>
/// What every run of a sweep shares, prepared once: the backend, the initial model (for the Init point and as the
/// reference of benchmarks defined relative to it), the chat template, the dataset's splits, the tokenized training
/// set, the domain evaluator and the general benchmarks.
/// </summary>
public sealed class SweepContext : IDisposable
{
    private SweepContext() { }

    /// <summary>The configuration.</summary>
    public required BoundRunConfig Bound { get; init; }

    /// <summary>The host (plugins, component factory).</summary>
    public required RetainHost Host { get; init; }

    /// <summary>The runs and the sweep folder.</summary>
    public required SweepPlan Plan { get; init; }

    /// <summary>The base model's folder.</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>The backend every model of the sweep lives on.</summary>
    public required IBackend Backend { get; init; }

    /// <summary>The initial model.</summary>
    public required LoadedModel Initial { get; init; }

    /// <summary>Encodes examples with the chat template.</summary>
    public required ExampleEncoder Encoder { get; init; }

    /// <summary>Training examples (after the train limit and over-length drops), indexed as the sequences.</summary>
    public required IReadOnlyList<Example> Train { get; init; }

    /// <summary>The tokenized training set; <see cref="TrainingSequence.ExampleIndex"/> indexes <see cref="Train"/>.</summary>
    public required IReadOnlyList<TrainingSequence> TrainSequences { get; init; }

    /// <summary>Validation examples used for checkpoint selection (after the validation limit).</summary>
    public required IReadOnlyList<Example> Validation { get; init; }

    /// <summary>Test examples of the domain score (after the test limit).</summary>
    public required IReadOnlyList<Example> Test { get; init; }

    /// <summary>The domain evaluator.</summary>
    public required IDomainEvaluator Evaluator { get; init; }

    /// <summary>The general benchmarks.</summary>
    public required GeneralEvaluation General { get; init; }

    /// <summary>How <c>best/</c> is written: the configured dtype (auto: the base checkpoint's) and shard size.</summary>
    public required CheckpointSaveOptions SaveOptions { get; init; }

    /// <summary>Caches shared by the runs (FLOW's initial-model losses, benchmark samples).</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>The pad id used in batches (masked, so any valid id works).</summary>
    public int PadId => Initial.Tokenizer.EosTokenIds.Count > 0 ? Initial.Tokenizer.EosTokenIds[0] : 0;

    internal static CheckpointSaveOptions SaveOptionsOf(SaveSettings save, string modelDirectory) => new()
    {
        DType = save.DType switch
        {
            SaveDType.Fp32 => SafetensorsDType.F32,
            SaveDType.Bf16 => SafetensorsDType.BF16,
            SaveDType.Fp16 => SafetensorsDType.F16,
            _ => Checkpoint.StoredDType(modelDirectory) is var stored && stored is SafetensorsDType.BF16 or SafetensorsDType.F16 ? stored : SafetensorsDType.F32,
        },
        MaxShardBytes = save.MaxShardBytes,
    };

    /// <summary>Loads and prepares everything; the data report goes to <c>data-report.json</c> in the sweep folder.</summary>
    public static SweepContext Prepare(BoundRunConfig bound, RetainHost host, SweepPlan plan, ISweepObserver observer)
    {
        var config = bound.Config;
        var binder = bound.Configuration.Binder;
        var errors = new List<ConfigurationError>();
        var dataset = host.Components.Create<IDataset>(PluginKind.Dataset, config.Dataset!, binder, errors);
        var benchmarks = config.Benchmarks.Select(b => new ConfiguredBenchmark(b, host.Components.Create<IBenchmark>(PluginKind.Benchmark, b, binder, errors)!)).ToList();
        if (errors.Count > 0 || dataset is null) throw new ConfigurationException(errors);

        var data = bound.Data;
        int seed = config.Data.Seed;
        observer.Status("sweep", $"loading dataset '{config.Dataset!.Name}'");
        var loadContext = DatasetLoader.Context(host, data, seed);
        var splits = dataset.Load(loadContext);
        if (splits.Train.Count == 0) throw new DataException(NoTrainingExamples(config.Dataset.Name, splits.Report));
        var evaluator = dataset.CreateEvaluator(loadContext);

        var modelDirectory = ModelSource.Resolve(bound.ResolvePath(config.Model));
        observer.Status("sweep", $"loading model {modelDirectory}");
        var backend = LoadedModel.CreateBackend(config.Device);
        LoadedModel? initial = null;
        try
        {
            initial = LoadedModel.Load(modelDirectory, backend, ownsBackend: false, config.ChatTemplate, name: "init");
            var template = initial.RequireTemplate();
            var encoder = new ExampleEncoder(initial.Tokenizer, template, Math.Min(config.Data.MaxLength, initial.Language.MaxSequenceLength), config.Data.OverLength);

            var train = splits.Train;
            if (config.Data.TrainLimit is int limit && limit < train.Count)
            {
                train = DataOrder.Subsample(train.Count, limit, seed).Select(i => train[i]).ToList();
            }
            observer.Status("sweep", $"tokenizing {train.Count} training examples");
            var encoded = encoder.EncodeAll(train);
            if (encoded.Examples.Count == 0) throw new DataException($"no training example is usable: {encoded.Dropped.Count} were dropped (first: {encoded.Dropped.FirstOrDefault()}).");
            var keptTrain = encoded.Examples.Select(e => train[e.ExampleIndex]).ToList();
            var sequences = encoded.Examples.Select((e, i) => new TrainingSequence(e.Ids, e.Supervision(), i)).ToList();

            var validation = Limit(splits.Validation, config.Validation.Limit, seed);
            var test = Limit(splits.Test, config.Validation.TestLimit, seed);
            Directory.CreateDirectory(plan.Directory);
            WriteDataReport(Path.Combine(plan.Directory, "data-report.json"), splits, train.Count, encoded, validation.Count, test.Count);

            var cache = Path.Combine(plan.Directory, "cache");
            return new SweepContext
            {
                Bound = bound,
                Host = host,
                Plan = plan,
                ModelDirectory = modelDirectory,
                Backend = backend,
                Initial = initial,
                Encoder = encoder,
                Train = keptTrain,
                TrainSequences = sequences,
                Validation = validation,
                Test = test,
                Evaluator = evaluator,
                General = new GeneralEvaluation(benchmarks, new BenchmarkRunner(RetainEnvironment.CacheRoot), config.General, data, seed),
                CacheDirectory = cache,
                SaveOptions = SaveOptionsOf(config.Save, modelDirectory),
            };
        }
        catch
        {
            initial?.Dispose();
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Why there is nothing to train on: an empty file, or every row rejected (the first few named).</summary>
    public static string NoTrainingExamples(string dataset, DataReport report)
    {
        var rejected = report.Rejected;
        string rows = rejected.Count == 0
            ? $"{report.RowsRead} row(s) were read from its files and none went to training (is the train file empty?)"
            : $"{report.RowsRead} row(s) were read and {rejected.Count} rejected, first: {string.Join("; ", rejected.Take(3))}";
        return $"the dataset '{dataset}' has no training examples: {rows}. Point its train file option at a file with usable rows.";
    }

    private static IReadOnlyList<Example> Limit(IReadOnlyList<Example> examples, int? limit, int seed)
        => limit is int n && n < examples.Count ? DataOrder.Subsample(examples.Count, n, seed).Select(i => examples[i]).ToList() : examples;

    private static void WriteDataReport(string path, DatasetSplits splits, int trainUsed, EncodedSplit encoded, int validation, int test)
    {
        var report = new
        {
            rowsRead = splits.Report.RowsRead,
            rejected = splits.Report.Rejected.Select(r => r.ToString()).ToList(),
            notes = splits.Report.Notes,
            splits = new { train = splits.Train.Count, validation = splits.Validation.Count, test = splits.Test.Count },
            used = new { train = encoded.Examples.Count, validation, test },
            trainSubsample = trainUsed,
            truncated = encoded.Truncated,
            dropped = encoded.Dropped,
        };
        File.WriteAllText(path, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Initial.Dispose();
        Backend.Dispose();
    }
}
