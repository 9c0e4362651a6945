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
    /// <summary>
    /// Runs every benchmark on <paramref name="model"/>: headline metric per benchmark name. The other metrics go to
    /// <paramref name="details"/> when given, as <c>benchmark/metric</c> (and <c>benchmark/metric_stderr</c>).
    /// </summary>
    public Dictionary<string, double> Run(ILanguageModel model, ILanguageModel? initialModel, string recordsDirectory, Action<string>? status = null,
        IProgress<(int Done, int Total)>? progress = null, Dictionary<string, double>? details = null)
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
            foreach (var metric in outcome.Result.Metrics.Skip(1).Where(m => details is not null))
            {
                details![$"{reference.Name}/{metric.Name}"] = metric.Value;
                if (double.IsFinite(metric.StdErr)) details[$"{reference.Name}/{metric.Name}_stderr"] = metric.StdErr;
            }
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
    public ModelScores Scores(DomainScore domain, double? validation, IReadOnlyDictionary<string, double> benchmarkScores, IReadOnlyDictionary<string, double> initialScores,
        IReadOnlyDictionary<string, double>? details = null)
    {
        var (general, excluded) = Aggregate(benchmarkScores, initialScores);
        return new ModelScores
        {
            Domain = domain.Value,
            DomainMetric = domain.Metric,
            DomainCount = domain.Count,
            Validation = validation,
            General = general,
            Benchmarks = new Dictionary<string, double>(benchmarkScores),
            Details = details is null ? [] : new Dictionary<string, double>(details),
            Excluded = excluded,
        };
    }
}
