using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Continuation;

/// <summary>
/// A general-capability metric that is honest for tiny models: how likely the evaluated model finds continuations
/// the reference (Init) model sampled from its own distribution. For sample i with T_i tokens,
/// r_i = (log p_model(x_i) − log p_ref(x_i)) / T_i; the headline <c>retained_likelihood</c> = exp(mean r_i), the
/// geometric-mean per-token likelihood ratio. With samples drawn at temperature 1 its logarithm estimates
/// −KL(p_ref ‖ p_model) per token, so the reference scores exactly 1 and any drift of the model away from what it
/// could do lowers it. Also reported: <c>kl_per_token</c> (mean −r_i, nats) and <c>loglik_per_token</c> (the model's
/// mean per-token log-likelihood of the samples). Without a reference model the evaluated model is its own
/// reference. Samples are cached per reference id and settings in the context's cache directory.
/// </summary>
[RetainComponent("continuation", Description = "Likelihood the model gives the Init model's own sampled continuations (1 = nothing forgotten).", Options = typeof(ContinuationOptions))]
public sealed class ContinuationBenchmark(ContinuationOptions options) : IBenchmark
{
    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        var reference = context.ReferenceModel ?? model;
        var samples = ContinuationSamples.Get(reference, options, context.Seed, context.CacheDirectory, context.CancellationToken);
        var ids = DocSelection.Select(samples.Count, context);
        var selected = ids.Select(i => samples[i]).ToList();
        var scores = model.Loglikelihood(selected.Select(s => new LoglikelihoodRequest(s.Prompt, s.Continuation)).ToList(),
            new ProgressAdapter(context.Progress, ids.Length), context.CancellationToken);
        var ratios = new List<double>();
        var perToken = new List<double>();
        for (int k = 0; k < selected.Count; k++)
        {
            var s = selected[k];
            double r = (scores[k].LogLikelihood - s.ReferenceLogLikelihood) / s.Tokens;
            ratios.Add(r);
            perToken.Add(scores[k].LogLikelihood / s.Tokens);
            context.Records.Add(new ItemRecord(ids[k], s.Prompt, s.Continuation, null, r >= 0)
            {
                Details = new Dictionary<string, object?>
                {
                    ["reference_loglik"] = s.ReferenceLogLikelihood,
                    ["model_loglik"] = scores[k].LogLikelihood,
                    ["tokens"] = s.Tokens,
                    ["log_ratio_per_token"] = r,
                    ["reference"] = reference.Id,
                },
            });
        }
        var meanRatio = Statistics.Mean("log_ratio", ratios);
        double retained = Math.Exp(meanRatio.Value);
        var kl = Statistics.Mean("kl_per_token,none", ratios.Select(r => -r).ToList());
        return new BenchmarkResult("continuation",
        [
            // Delta method: d exp(m) = exp(m) dm.
            new MetricValue("retained_likelihood,none", retained, retained * meanRatio.StdErr, meanRatio.Count),
            kl,
            Statistics.Mean("loglik_per_token,none", perToken),
        ]);
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context) =>
        throw new NotSupportedException("continuation scores log-likelihoods of reference samples under the model itself; responses produced elsewhere cannot be scored. Run it with --model.");
}
