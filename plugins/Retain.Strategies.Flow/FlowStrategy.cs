using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Flow;

/// <summary>
/// FLOW ("Upweighting Easy Samples in Fine-Tuning Mitigates Forgetting"): before training, the frozen initial model
/// scores every training example; each gets w = exp(−ℓ_pre/τ), ℓ_pre its mean target-token NLL and τ the median of
/// those losses over the dataset (numpy's median: the mean of the two middle values for an even count). Weights are
/// static, have no floor and are not normalised; the loss is (1/N)·Σ_i w_example(i)·ℓ_i over supervised tokens, as
/// the FLOW repository's WeightedLossTrainer divides by the number of label tokens. An example without supervised
/// tokens gets weight 0 (the repository's NaN → 0).
/// </summary>
[RetainComponent("flow", Description = "FLOW: static weights exp(-loss_init/τ) per example from the frozen initial model, τ = dataset median.", Options = typeof(FlowOptions))]
public sealed class FlowStrategy(FlowOptions options) : IPretrainingPass, ITokenObjective
{
    private float[][] _tokenWeights = [];
    private float[] _sequenceWeights = [];

    /// <summary>τ used (after <see cref="Run"/>).</summary>
    public double Temperature { get; private set; }

    /// <inheritdoc />
    public bool IsPrimary => true;

    /// <inheritdoc />
    public void Run(IPretrainingContext context)
    {
        var losses = options.Cache ? FlowCache.Load(context) : null;
        if (losses is null)
        {
            losses = context.ScoreTrainingSet();
            if (options.Cache) FlowCache.Save(context, losses);
        }
        SetLosses(losses, context.Metrics);
    }

    /// <summary>Computes τ and the weights from the initial model's per-token losses of each example.</summary>
    public void SetLosses(IReadOnlyList<float[]> losses, IMetricSink metrics)
    {
        if (options.Level == FlowLevel.Sequence)
        {
            var perSequence = losses.Select(l => l.Length == 0 ? double.NaN : l.Average(x => (double)x)).ToArray();
            Temperature = options.FixedTau ?? Median(perSequence.Where(double.IsFinite));
            _sequenceWeights = perSequence.Select(l => double.IsNaN(l) ? 0f : (float)Math.Exp(-l / Temperature)).ToArray();
            Report(_sequenceWeights, metrics);
        }
        else
        {
            Temperature = options.FixedTau ?? Median(losses.SelectMany(l => l).Select(x => (double)x));
            _tokenWeights = losses.Select(l => l.Select(x => (float)Math.Exp(-x / Temperature)).ToArray()).ToArray();
            Report(_tokenWeights.SelectMany(w => w).ToArray(), metrics);
        }
    }

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        var nll = batch.Nll;
        var example = batch.Example;
        var position = batch.Position;
        double inverseN = 1.0 / batch.Normalizer;
        for (int i = 0; i < nll.Length; i++)
        {
            double w = options.Level == FlowLevel.Sequence ? _sequenceWeights[example[i]] : TokenWeight(example[i], position[i]);
            loss[i] += (float)(w * nll[i] * inverseN);
            coefficient[i] += (float)(w * inverseN);
        }
        metrics.Record("tau", Temperature);
    }

    private double TokenWeight(int example, int position)
    {
        var weights = _tokenWeights[example];
        if (position >= weights.Length)
        {
            throw new InvalidOperationException($"FLOW has {weights.Length} token weights for training example {example} but the batch holds its token {position}: the training data changed after the pre-training pass.");
        }
        return weights[position];
    }

    private static void Report(float[] weights, IMetricSink metrics)
    {
        if (weights.Length == 0) return;
        metrics.Record("weight_mean", weights.Average(w => (double)w));
        metrics.Record("weight_min", weights.Min());
        metrics.Record("weight_max", weights.Max());
    }

    /// <summary>numpy.median: the middle value, or the mean of the two middle values.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new InvalidOperationException("FLOW needs at least one training example with supervised tokens to set its temperature.");
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}

/// <summary>Registers FLOW.</summary>
public sealed class FlowPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<FlowStrategy>();
}
