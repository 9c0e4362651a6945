using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Talr;

/// <summary>
/// TALR (Algorithm 1): w_i = max(sg(exp(−ℓ_i/τ)), w_min), loss = (1/N)·Σ w_i·ℓ_i, so the coefficient of token i is
/// w_i/N. With τ = batch-median, τ is the median over the micro-batch's sequences of each sequence's mean NLL,
/// taken as <c>torch.median</c> takes it (the lower of the two middle values for an even count), floored at MinTau.
/// </summary>
[RetainComponent("talr", Description = "Token-adaptive loss reweighting: w_i = max(exp(-NLL_i/τ), w_min), τ = batch median of sequence mean NLL.", Options = typeof(TalrOptions))]
public sealed class TalrObjective(TalrOptions options) : ITokenObjective
{
    private double[] _sequenceMeans = new double[16];

    /// <inheritdoc />
    public bool IsPrimary => true;

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        var nll = batch.Nll;
        if (nll.Length == 0) return;
        double tau = options.FixedTau ?? Math.Max(BatchMedianOfSequenceMeans(batch), options.MinTau);
        double inverseN = 1.0 / batch.Normalizer;
        double threshold = options.ProbabilityThreshold;
        double weightSum = 0, weightMin = double.MaxValue, weightMax = 0;
        int floored = 0, easy = 0;
        for (int i = 0; i < nll.Length; i++)
        {
            double w = Math.Exp(-nll[i] / tau);
            if (w < options.WMin)
            {
                w = options.WMin;
                floored++;
            }
            loss[i] += (float)(w * nll[i] * inverseN);
            coefficient[i] += (float)(w * inverseN);
            weightSum += w;
            weightMin = Math.Min(weightMin, w);
            weightMax = Math.Max(weightMax, w);
            if (Math.Exp(-nll[i]) > threshold) easy++;
        }
        metrics.Record("tau", tau);
        metrics.Record("weight_mean", weightSum / nll.Length);
        metrics.Record("weight_min", weightMin);
        metrics.Record("weight_max", weightMax);
        metrics.Record("floored_fraction", (double)floored / nll.Length);
        metrics.Record("easy_fraction", (double)easy / nll.Length);
    }

    /// <summary>The lower median over sequences of their mean NLL (sequences without tokens do not count).</summary>
    private double BatchMedianOfSequenceMeans(TokenBatch batch)
    {
        var nll = batch.Nll;
        var sequence = batch.Sequence;
        if (_sequenceMeans.Length < batch.SequenceCount) _sequenceMeans = new double[Math.Max(batch.SequenceCount, _sequenceMeans.Length * 2)];
        int count = 0;
        for (int start = 0; start < nll.Length;)
        {
            int end = start;
            double sum = 0;
            while (end < nll.Length && sequence[end] == sequence[start]) sum += nll[end++];
            _sequenceMeans[count++] = sum / (end - start);
            start = end;
        }
        var means = _sequenceMeans.AsSpan(0, count);
        means.Sort();
        return means[(count - 1) / 2];
    }
}
