using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.WiseFt;

/// <summary>Options of <see cref="WiseFtMerge"/>.</summary>
public sealed class WiseFtOptions : IValidatableObject
{
    /// <summary>The mixing coefficients α (0 = initial model, 1 = fine-tuned model).</summary>
    [Description("Mixing coefficients α: each gives a checkpoint (1−α)·θ0 + α·θ_ft (0 = initial, 1 = fine-tuned).")]
    public List<double> Alphas { get; set; } = [0.5];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Alphas.Count == 0) yield return new ValidationResult("needs at least one α.", [nameof(Alphas)]);
        foreach (var alpha in Alphas.Where(a => a is < 0 or > 1))
            yield return new ValidationResult($"α = {alpha.ToString(CultureInfo.InvariantCulture)} is outside [0, 1].", [nameof(Alphas)]);
    }
}

/// <summary>
/// Wise-FT (Wortsman et al., 2022, <c>wise_ft.py _merge</c> without Fisher weights): for every tensor of the model,
/// θ_α = (1−α)·θ0 + α·θ_ft, one candidate checkpoint per α, evaluated like a trained checkpoint.
/// </summary>
[RetainComponent("wise-ft", Description = "Wise-FT: interpolated checkpoints (1−α)·θ0 + α·θ_ft for each α.", Options = typeof(WiseFtOptions))]
public sealed class WiseFtMerge(WiseFtOptions options) : IPostTrainingMerge
{
    /// <inheritdoc />
    public void Merge(IMergeContext context)
    {
        foreach (var alpha in options.Alphas.Distinct())
        {
            float a = (float)alpha;
            context.AddCandidate($"alpha={alpha.ToString("0.00", CultureInfo.InvariantCulture)}", (_, initial, fineTuned, result) =>
            {
                for (int i = 0; i < result.Length; i++) result[i] = (1 - a) * initial[i] + a * fineTuned[i];
            });
        }
    }
}

/// <summary>Registers Wise-FT.</summary>
public sealed class WiseFtPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<WiseFtMerge>();
}
