using Retain.Evaluation;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>The verdicts of one document.</summary>
/// <param name="LogLikelihoods">Σ log p of each choice's continuation.</param>
/// <param name="Prediction">argmax of the log-likelihoods (first index on ties).</param>
/// <param name="NormalizedPrediction">argmax of log-likelihood ÷ code-point length of the choice (first on ties).</param>
public sealed record ChoiceVerdict(IReadOnlyList<double> LogLikelihoods, int Prediction, int NormalizedPrediction);

/// <summary>lm-eval's multiple-choice <c>process_results</c>: <c>acc</c> and <c>acc_norm</c>.</summary>
public static class ChoiceScoring
{
    /// <summary>Predictions from per-choice log-likelihoods.</summary>
    public static ChoiceVerdict Judge(IReadOnlyList<double> logLikelihoods, IReadOnlyList<string> choices)
    {
        if (logLikelihoods.Count != choices.Count) throw new ArgumentException("One log-likelihood per choice is needed.", nameof(logLikelihoods));
        int pred = 0, predNorm = 0;
        double best = double.NegativeInfinity, bestNorm = double.NegativeInfinity;
        for (int i = 0; i < choices.Count; i++)
        {
            // np.argmax: the first maximum wins, so only a strictly larger value moves it.
            if (i == 0 || logLikelihoods[i] > best) { best = logLikelihoods[i]; pred = i; }
            double normalized = logLikelihoods[i] / PythonText.Length(choices[i]);
            if (i == 0 || normalized > bestNorm) { bestNorm = normalized; predNorm = i; }
        }
        return new ChoiceVerdict(logLikelihoods, pred, predNorm);
    }

    /// <summary>
    /// Scores every item with one batched <see cref="ILanguageModel.Loglikelihood"/> call, records each item, and returns
    /// <c>acc</c> (and <c>acc_norm</c> when <paramref name="withNorm"/>) plus per-group <c>acc</c> when items carry groups.
    /// </summary>
    public static (BenchmarkResult Result, List<ChoiceVerdict> Verdicts) Evaluate(
        string benchmark, ILanguageModel model, IReadOnlyList<ChoiceItem> items, IReadOnlyList<int> docIds, BenchmarkContext context, bool withNorm)
    {
        var requests = items.SelectMany(i => i.Requests).ToList();
        var results = model.Loglikelihood(requests, new RequestProgress(context.Progress, items), context.CancellationToken);
        if (results.Count != requests.Count)
        {
            throw new InvalidOperationException($"{benchmark}: the model returned {results.Count} log-likelihoods for {requests.Count} requests.");
        }
        var acc = new List<bool>();
        var accNorm = new List<bool>();
        var verdicts = new List<ChoiceVerdict>();
        int offset = 0;
        for (int k = 0; k < items.Count; k++)
        {
            var item = items[k];
            var lls = new List<double>(item.Requests.Count);
            for (int r = 0; r < item.Requests.Count; r++) lls.Add(results[offset + r].LogLikelihood);
            offset += item.Requests.Count;
            var verdict = Judge(lls, item.Choices);
            verdicts.Add(verdict);
            bool correct = verdict.Prediction == item.Gold;
            acc.Add(correct);
            accNorm.Add(verdict.NormalizedPrediction == item.Gold);
            var details = new Dictionary<string, object?>
            {
                ["choices"] = item.Choices,
                ["loglikelihoods"] = lls,
                ["gold"] = item.Gold,
                ["pred_norm"] = verdict.NormalizedPrediction,
            };
            if (item.Group is not null) details["group"] = item.Group;
            context.Records.Add(new ItemRecord(docIds[k], item.Requests[0].Context, item.Requests[verdict.Prediction].Continuation,
                verdict.Prediction.ToString(System.Globalization.CultureInfo.InvariantCulture), correct) { Details = details });
        }
        var metrics = new List<MetricValue> { Statistics.Mean("acc,none", acc) };
        if (withNorm) metrics.Add(Statistics.Mean("acc_norm,none", accNorm));
        return (new BenchmarkResult(benchmark, metrics), verdicts);
    }

    /// <summary>Reports documents done from the model's requests-done count.</summary>
    private sealed class RequestProgress : IProgress<int>
    {
        private readonly IProgress<(int Done, int Total)>? _target;
        private readonly int[] _docsDoneAfterRequests;

        public RequestProgress(IProgress<(int Done, int Total)>? target, IReadOnlyList<ChoiceItem> items)
        {
            _target = target;
            _docsDoneAfterRequests = new int[items.Sum(i => i.Requests.Count) + 1];
            int request = 0;
            for (int d = 0; d < items.Count; d++)
            {
                for (int r = 0; r < items[d].Requests.Count; r++) _docsDoneAfterRequests[++request] = r == items[d].Requests.Count - 1 ? d + 1 : d;
            }
        }

        public void Report(int value) => _target?.Report((_docsDoneAfterRequests[Math.Clamp(value, 0, _docsDoneAfterRequests.Length - 1)], _docsDoneAfterRequests.Length == 1 ? 0 : _docsDoneAfterRequests[^1]));
    }
}
