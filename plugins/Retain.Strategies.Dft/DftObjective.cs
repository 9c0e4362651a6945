using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Dft;

/// <summary>
/// DFT (Wu et al., 2025) as TRL (<c>loss_type="dft"</c>) and LLaMA-Factory ship it: loss = (1/N)·Σ sg(p_i)·ℓ_i with
/// p_i = exp(−ℓ_i), so the coefficient of token i is p_i/N.
/// </summary>
[RetainComponent("dft", Description = "Dynamic fine-tuning: NLL weighted by the token's stop-gradient probability.")]
public sealed class DftObjective : ITokenObjective
{
    /// <inheritdoc />
    public bool IsPrimary => true;

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        var nll = batch.Nll;
        if (nll.Length == 0) return;
        double inverseN = 1.0 / batch.Normalizer, sum = 0;
        for (int i = 0; i < nll.Length; i++)
        {
            double p = Math.Exp(-nll[i]);
            loss[i] += (float)(p * nll[i] * inverseN);
            coefficient[i] += (float)(p * inverseN);
            sum += p;
        }
        metrics.Record("probability_mean", sum / nll.Length);
    }
}

/// <summary>Registers DFT.</summary>
public sealed class DftPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<DftObjective>();
}
