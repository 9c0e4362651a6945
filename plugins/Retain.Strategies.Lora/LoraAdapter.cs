using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Retain.Plugins;
using Retain.Training;

namespace Retain.Strategies.Lora;

/// <summary>Options of <see cref="LoraAdapter"/> (defaults as PEFT's LoraConfig except the target modules).</summary>
public sealed class LoraOptions : IValidatableObject
{
    /// <summary>r.</summary>
    [Range(1, 4096)]
    [Description("Rank r of the adapters.")]
    public int Rank { get; set; } = 8;

    /// <summary>α; the update is scaled by α/r.</summary>
    [Range(1e-6, 1e6)]
    [Description("lora_alpha: the update B·A is scaled by alpha/rank.")]
    public double Alpha { get; set; } = 16;

    /// <summary>Dropout on the adapter path.</summary>
    [Range(0.0, 0.99)]
    [Description("Dropout probability on the adapter's input.")]
    public double Dropout { get; set; } = 0.05;

    /// <summary>Linear modules to adapt, or ["all-linear"].</summary>
    [Description("Modules to adapt (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj), or [\"all-linear\"].")]
    public List<string> TargetModules { get; set; } = ["all-linear"];

    /// <summary>Seed of A's initialisation and the dropout masks; default: the run's seed.</summary>
    [Description("Seed of the adapters' initialisation and dropout; default: the run's seed.")]
    public int? Seed { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TargetModules.Count == 0) yield return new ValidationResult("needs at least one module (or \"all-linear\").", [nameof(TargetModules)]);
    }
}

/// <summary>
/// LoRA (Hu et al., 2021) as PEFT implements it: each targeted linear module computes
/// y = x·Wᵀ + (α/r)·dropout(x)·Aᵀ·Bᵀ with W frozen, A Kaiming-uniform, B zero. The kernel saves merged weights
/// (W + (α/r)·B·A) as the checkpoint; <see cref="Export"/> adds a PEFT adapter (<c>adapter_config.json</c> +
/// <c>adapter_model.safetensors</c>) that <c>PeftModel.from_pretrained(base, dir)</c> loads.
/// </summary>
[RetainComponent("lora", Description = "LoRA adapters on linear modules, base frozen; exports a PEFT adapter and merged weights.", Options = typeof(LoraOptions))]
public sealed class LoraAdapter(LoraOptions options) : IModelAdapter
{
    private IReadOnlyList<string> _targets = [];

    /// <inheritdoc />
    public void Configure(IAdapterBuilder builder)
    {
        _targets = options.TargetModules.Count == 1 && options.TargetModules[0] == "all-linear"
            ? builder.LinearModules
            : options.TargetModules;
        var unknown = _targets.Except(builder.LinearModules).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"lora: target module(s) {string.Join(", ", unknown)} do not exist in this model; its linear modules are {string.Join(", ", builder.LinearModules)}.");
        }
        builder.FreezeBaseModel();
        builder.AddLowRank(new LowRankSpec(_targets, options.Rank, (float)options.Alpha, (float)options.Dropout, options.Seed ?? builder.Seed));
    }

    /// <inheritdoc />
    public void Export(IAdapterExport export)
    {
        var tensors = new List<NamedTensor>();
        foreach (var module in export.LowRankModules)
        {
            // PEFT's names: base_model.model.<module>.lora_A.weight [r, in], lora_B.weight [out, r].
            tensors.Add(module.A with { Name = $"base_model.model.{module.Module}.lora_A.weight" });
            tensors.Add(module.B with { Name = $"base_model.model.{module.Module}.lora_B.weight" });
        }
        export.WriteSafetensors("adapter_model.safetensors", tensors);
        var config = new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = export.BaseModelPath,
            ["r"] = options.Rank,
            ["lora_alpha"] = options.Alpha,
            ["lora_dropout"] = options.Dropout,
            ["target_modules"] = _targets.Order(StringComparer.Ordinal).ToList(),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["modules_to_save"] = null,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["layers_to_transform"] = null,
            ["layers_pattern"] = null,
            ["rank_pattern"] = new Dictionary<string, int>(),
            ["alpha_pattern"] = new Dictionary<string, double>(),
            ["revision"] = null,
        };
        var path = Path.Combine(export.Directory, "adapter_config.json");
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}

/// <summary>Registers LoRA.</summary>
public sealed class LoraPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) => services.AddStrategy<LoraAdapter>();
}
