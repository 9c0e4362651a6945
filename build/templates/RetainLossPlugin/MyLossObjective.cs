using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace MyLoss;

/// <summary>The loss's options, bound from the run configuration's "options" object and validated at start.</summary>
public sealed class MyLossOptions
{
    /// <summary>Focusing parameter γ (0 = standard SFT).</summary>
    [Range(0.0, 10.0)]
    [Description("Focusing parameter gamma: 0 is standard SFT, larger values down-weight easy tokens.")]
    public double Gamma { get; set; } = 2.0;
}

/// <summary>
/// Focal loss on the supervised tokens: loss_i = (1 − p_i)^γ · ℓ_i / N with p_i = exp(−ℓ_i). The kernel hands over
/// every token's NLL ℓ_i; the objective adds its loss and ∂loss/∂ℓ_i (here including the modulating factor's
/// derivative) and the kernel back-propagates them. Plain C#: no GPU code.
/// </summary>
[RetainComponent("my-loss", Description = "Focal loss: (1 - p)^gamma x NLL.", Options = typeof(MyLossOptions))]
public sealed class MyLossObjective(MyLossOptions options) : ITokenObjective
{
    /// <summary>This objective contains the data-fit term (it replaces standard SFT).</summary>
    public bool IsPrimary => true;

    /// <inheritdoc />
    public void Accumulate(TokenBatch batch, Span<float> loss, Span<float> coefficient, IMetricSink metrics)
    {
        double gamma = options.Gamma, inverseN = 1.0 / batch.Normalizer;
        var nll = batch.Nll;
        for (int i = 0; i < nll.Length; i++)
        {
            double l = nll[i], p = Math.Exp(-l), q = -double.ExpM1(-l); // q = 1 − p, exact for small ℓ
            double modulation = q == 0 ? (gamma == 0 ? 1 : 0) : Math.Pow(q, gamma);
            double derivative = modulation + (q == 0 ? 0 : gamma * l * p * Math.Pow(q, gamma - 1));
            loss[i] += (float)(modulation * l * inverseN);
            coefficient[i] += (float)(derivative * inverseN);
        }
        metrics.Record("gamma", gamma);
    }
}

/// <summary>The plugin's entry point: the host calls it once to register the loss.</summary>
public sealed class MyLossPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<MyLossObjective>();
}
