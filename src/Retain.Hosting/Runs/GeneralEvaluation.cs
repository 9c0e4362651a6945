using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Configuration;
using Retain.Hosting.Evaluation;
using Retain.Hosting.Reports;

namespace Retain.Hosting.Runs;

/// <summary>A configured benchmark.</summary>
public sealed record ConfiguredBenchmark(ComponentReference Reference, IBenchmark Benchmark);

/// <summary>
/// The general score of a model, as the paper's appendix C.3 defines it: the mean of the benchmarks' headline
/// metrics, leaving out benchmarks on which the initial model scores below a threshold (they would only add noise),
/// and recording which were left out.
/// </summary>
public sealed class GeneralEvaluation(IReadOnlyList<ConfiguredBenchmark> benchmarks, BenchmarkRunner runner, GeneralSettings settings, IDataLocator data, int seed)
{
    /// <summary>Runs every benchmark on <paramref name="model"/>: headline metric per benchmark name.</summary>
    public Dictionary<string, double> Run(ILanguageModel model, ILanguageModel? initialModel, string recordsDirectory, Action<string>? status = null,
        IProgress<(int Done, int Total)>? progress = null)
    {
        var scores = new Dictionary<string, double>();
        foreach (var (reference, benchmark) in benchmarks)
        {
            status?.Invoke($"benchmark {reference.Name}");
            var outcome = runner.Run(benchmark, reference, model, new BenchmarkSettings
            {
                Data = data,
                Limit = settings.Limit,
                Seed = seed,
                ReferenceModel = initialModel,
                RecordsPath = Path.Combine(recordsDirectory, $"{reference.Name}.jsonl"),
                Progress = progress,
            });
            scores[reference.Name] = outcome.Result.Primary.Value;
        }
        return scores;
    }

    /// <summary>The aggregate over <paramref name="scores"/>, excluding benchmarks where the initial model is below the threshold.</summary>
    public (double? General, List<string> Excluded) Aggregate(IReadOnlyDictionary<string, double> scores, IReadOnlyDictionary<string, double> initialScores)
    {
        var excluded = initialScores.Where(s => s.Value < settings.Threshold).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
        var kept = scores.Where(s => !excluded.Contains(s.Key)).Select(s => s.Value).ToList();
        return (kept.Count == 0 ? null : kept.Average(), excluded);
    }

    /// <summary>Domain and general scores of a model in the report's form.</summary>
    public ModelScores Scores(DomainScore domain, double? validation, IReadOnlyDictionary<string, double> benchmarkScores, IReadOnlyDictionary<string, double> initialScores)
    {
        var (general, excluded) = Aggregate(benchmarkScores, initialScores);
        return new ModelScores
        {
            Domain = domain.Value,
            DomainMetric = domain.Metric,
            Validation = validation,
            General = general,
            Benchmarks = new Dictionary<string, double>(benchmarkScores),
            Excluded = excluded,
        };
    }
}
