using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.L2;

/// <summary>How the squared distance is reduced over parameters.</summary>
public enum L2Reduction
{
    /// <summary>R = λ·Σ(θ−θ0)²/P over the P trainable elements (the FLOW repository's <c>weight_regularization=l2</c>).</summary>
    Mean,
    /// <summary>R = λ·Σ(θ−θ0)².</summary>
    Sum,
}

/// <summary>Options of <see cref="L2ToInitial"/>.</summary>
public sealed class L2Options
{
    /// <summary>λ.</summary>
    [Range(0.0, 1e12)]
    [Description("Coefficient λ. The FLOW repository's scripts use 1e-3 with the mean reduction.")]
    public double Lambda { get; set; } = 1e-3;

    /// <summary>Mean (default) or sum over trainable elements.</summary>
    [Description("mean: λ·Σ(θ−θ0)²/P over the P trainable elements (FLOW's baseline); sum: λ·Σ(θ−θ0)².")]
    public L2Reduction Reduction { get; set; } = L2Reduction.Mean;
}

/// <summary>
/// L2 to the initial weights ("L2-SP"): R = λ·Σ(θ−θ0)²/P with P the number of trainable elements (or without /P
/// for the sum reduction); its gradient 2λ(θ−θ0)/P is added to every trainable tensor's gradient.
/// </summary>
[RetainComponent("l2", Description = "L2 to the initial weights: λ·mean over trainable elements of (θ−θ0)².", Options = typeof(L2Options))]
public sealed class L2ToInitial(L2Options options) : IGradientRegularizer
{
    /// <inheritdoc />
    public bool NeedsInitialWeights => true;

    /// <inheritdoc />
    public double Apply(IParameterSpace parameters, IMetricSink metrics)
    {
        double scale = options.Reduction == L2Reduction.Mean ? options.Lambda / Math.Max(1, parameters.TrainableElementCount) : options.Lambda;
        double squared = 0;
        for (int p = 0; p < parameters.Trainable.Count; p++)
        {
            squared += parameters.SquaredDistanceToInitial(p);
            parameters.AddDistanceToInitialGradient(p, (float)(2 * scale));
        }
        double value = scale * squared;
        metrics.Record("distance", Math.Sqrt(squared));
        metrics.Record("value", value);
        return value;
    }
}

/// <summary>Registers L2-to-initial.</summary>
public sealed class L2Plugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<L2ToInitial>();
}
