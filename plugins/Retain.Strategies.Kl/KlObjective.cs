using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Kl;

/// <summary>Options of <see cref="KlObjective"/>.</summary>
public sealed class KlOptions
{
    /// <summary>The coefficient β.</summary>
    [Range(0.0, 1e6)]
    [Description("Coefficient β of the KL term.")]
    public double Beta { get; set; } = 0.1;
}

/// <summary>
/// The KL penalty of the paper's appendix C.4: β × k3 (Schulman's estimator, as DeepSeek-R1 / TRL GRPO) on the
/// supervised target tokens, against the frozen initial model. With d_i = log π_ref(y_i) − log π_θ(y_i) = ℓ_i − ℓ_ref,i:
/// k3 = e^d − d − 1 ≥ 0 and ∂k3/∂ℓ_i = e^d − 1 (equivalently ∂/∂log p = 1 − e^d), so loss_i += β·k3/N and the
/// coefficient += β·(e^d − 1)/N. Direction: k3 estimates the reverse KL(π_θ‖π_ref) when tokens are drawn from π_θ;
/// here they are the dataset's targets, so it is the same per-token surrogate TRL and the paper use, not an
/// unbiased estimate of either direction. Additive: combine it with a primary objective (standard by default).
/// </summary>
[RetainComponent("kl", Description = "β × k3 KL penalty to the frozen initial model on target tokens (paper appendix C.4).", Options = typeof(KlOptions))]
public sealed class KlObjective(KlOptions options) : ITokenObjective
{
    /// <inheritdoc />
    public bool IsPrimary => false;

    /// <inheritdoc />
    public TokenObjectiveNeeds Needs => TokenObjectiveNeeds.ReferenceNll;

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        var nll = batch.Nll;
        var reference = batch.ReferenceNll;
        if (nll.Length == 0) return;
        if (reference.Length != nll.Length) throw new InvalidOperationException("The kernel did not provide the reference model's NLL the KL objective asked for.");
        double scale = options.Beta / batch.Normalizer, sum = 0;
        for (int i = 0; i < nll.Length; i++)
        {
            double d = (double)nll[i] - reference[i];
            double ed = Math.Exp(d);
            double k3 = ed - d - 1;
            loss[i] += (float)(scale * k3);
            coefficient[i] += (float)(scale * (ed - 1));
            sum += k3;
        }
        metrics.Record("k3_mean", sum / nll.Length);
    }
}

/// <summary>Registers KL.</summary>
public sealed class KlPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<KlObjective>();
}
