using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Retain.Hosting.Configuration;

/// <summary>
/// One experiment: a base model, a domain dataset, the methods (strategy combinations) and learning rates to sweep,
/// how to train, validate and select checkpoints, and the general benchmarks. Every key is optional unless marked
/// required; relative paths are resolved against the configuration file's folder.
/// </summary>
public sealed class RunConfig : IValidatableObject
{
    /// <summary>Sweep name (default: the configuration file's name without extension).</summary>
    [Description("Sweep name; default: the configuration file's name.")]
    public string? Name { get; set; }

    /// <summary>The base model: a local Hugging Face directory.</summary>
    [Required(ErrorMessage = "is required: the base model's Hugging Face directory (config.json, *.safetensors, tokenizer.json).")]
    [Description("Base model: a local Hugging Face directory.")]
    public string Model { get; set; } = "";

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (see <see cref="Kernel.Backends.BackendFactory"/>).</summary>
    [Description("Compute device: cpu, cuda or cuda:N.")]
    public string Device { get; set; } = "cpu";

    /// <summary>Chat template name when the model's own cannot be recognised (qwen2.5, qwen3, gemma3, llama3, chatml, plain).</summary>
    [Description("Chat template override: qwen2.5, qwen3, gemma3, llama3, chatml or plain.")]
    public string? ChatTemplate { get; set; }

    /// <summary>Output directory; the sweep goes to &lt;output&gt;/&lt;name&gt;.</summary>
    [Description("Output directory; the sweep is written to <output>/<name>.")]
    public string Output { get; set; } = "runs";

    /// <summary>The domain dataset plugin and its options.</summary>
    [Required(ErrorMessage = "is required: the domain dataset, e.g. {{ \"name\": \"gsm8k\", \"options\": {{ ... }} }}.")]
    [Description("Domain dataset: a dataset plugin name, or { name, options }.")]
    public ComponentReference? Dataset { get; set; }

    /// <summary>Tokenisation of the dataset.</summary>
    public DataSettings Data { get; set; } = new();

    /// <summary>The methods to compare; each is one or more strategies. Default: standard SFT.</summary>
    [Description("Methods to compare: a strategy name, or { name, strategies: [...] } to combine strategies.")]
    public List<MethodConfig> Methods { get; set; } = [];

    /// <summary>Peak learning rates; a list makes a sweep.</summary>
    [Description("Peak learning rates; each one is a run per method and seed.")]
    public List<double> LearningRates { get; set; } = [];

    /// <summary>Seeds; each one is a run per method and learning rate.</summary>
    [Description("Seeds (data order, initialisation of adapters, dropout).")]
    public List<int> Seeds { get; set; } = [42];

    /// <summary>Optimisation settings.</summary>
    public TrainingSettings Training { get; set; } = new();

    /// <summary>Domain validation and checkpoint selection.</summary>
    public ValidationSettings Validation { get; set; } = new();

    /// <summary>General benchmarks run on the selected checkpoint and on the initial model.</summary>
    [Description("General benchmarks, each a benchmark plugin name or { name, options }.")]
    public List<ComponentReference> Benchmarks { get; set; } = [];

    /// <summary>How the general score is aggregated.</summary>
    public GeneralSettings General { get; set; } = new();

    /// <summary>Extra plugin folders.</summary>
    public PluginSettings Plugins { get; set; } = new();

    /// <summary>How selected checkpoints (<c>best/</c>) are written.</summary>
    public SaveSettings Save { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LearningRates.Count == 0)
            yield return new ValidationResult("is required: at least one learning rate, e.g. [1e-5, 5e-6].", [nameof(LearningRates)]);
        foreach (var lr in LearningRates.Where(lr => lr <= 0 || lr >= 1))
            yield return new ValidationResult($"{lr} is not a learning rate in (0, 1).", [nameof(LearningRates)]);
        if (Seeds.Count == 0)
            yield return new ValidationResult("needs at least one seed.", [nameof(Seeds)]);
        if (!Kernel.Backends.BackendFactory.IsDevice(Device))
            yield return new ValidationResult($"'{Device}' is not a device: use {Kernel.Backends.BackendFactory.DeviceHelp}.", [nameof(Device)]);
        foreach (var duplicate in Methods.GroupBy(m => m.Label).Where(g => g.Count() > 1))
            yield return new ValidationResult($"two methods are labelled '{duplicate.Key}'; give them distinct names.", [nameof(Methods)]);
    }
}

/// <summary>A method: strategies combined in one training run.</summary>
public sealed class MethodConfig
{
    /// <summary>The label used in run names and reports (default: the strategy names joined with '+').</summary>
    [Description("Label in run names and reports; default: strategy names joined with '+'.")]
    public string? Name { get; set; }

    /// <summary>The strategies, combined.</summary>
    [Description("Strategies to combine, each a name or { name, options }.")]
    public List<ComponentReference> Strategies { get; set; } = [];

    /// <summary>The label.</summary>
    public string Label => Name ?? (Strategies.Count == 0 ? "standard" : string.Join("+", Strategies.Select(s => s.Name)));

    /// <summary>A method written as a bare strategy name.</summary>
    public static MethodConfig FromScalar(string name, string path)
        => new() { Strategies = [new ComponentReference { Name = name, Path = path }] };
}

/// <summary>Tokenisation settings.</summary>
public sealed class DataSettings
{
    /// <summary>Longest training sequence in tokens (prompt + target).</summary>
    [Range(8, 1 << 20)]
    [Description("Longest training sequence in tokens (prompt + target).")]
    public int MaxLength { get; set; } = 1024;

    /// <summary>What to do with longer examples (always counted and reported).</summary>
    [Description("Longer examples: truncate (cut the target's end) or drop. Always counted and reported.")]
    public OverLengthPolicy OverLength { get; set; } = OverLengthPolicy.Truncate;

    /// <summary>Extra folders relative data paths are looked up in (after the configuration's folder).</summary>
    [Description("Extra data roots, searched after the configuration file's folder.")]
    public List<string> Roots { get; set; } = [];

    /// <summary>Pack several examples into one sequence (no attention across examples).</summary>
    [Description("Pack examples into sequences of maxLength tokens instead of padding.")]
    public bool Packing { get; set; }

    /// <summary>Seed of the dataset's documented split and of the subsamples below; the same for every run of the sweep.</summary>
    [Description("Seed of the dataset's split and of train/validation/test subsampling (the same for every run).")]
    public int Seed { get; set; } = 42;

    /// <summary>Use at most this many training examples (seeded subsample), or all.</summary>
    [Range(1, int.MaxValue)]
    [Description("Use at most this many training examples (seeded subsample).")]
    public int? TrainLimit { get; set; }
}

/// <summary>What happens to examples longer than <see cref="DataSettings.MaxLength"/>.</summary>
public enum OverLengthPolicy
{
    /// <summary>Cut the end of the target.</summary>
    Truncate,
    /// <summary>Drop the example.</summary>
    Drop,
}

/// <summary>Optimisation settings.</summary>
public sealed class TrainingSettings : IValidatableObject
{
    /// <summary>Passes over the training split.</summary>
    [Range(1, 1000)]
    [Description("Passes over the training split.")]
    public int Epochs { get; set; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs when smaller).</summary>
    [Range(1, int.MaxValue)]
    [Description("Stop after this many optimizer steps.")]
    public int? MaxSteps { get; set; }

    /// <summary>Sequences per micro-batch.</summary>
    [Range(1, 4096)]
    [Description("Sequences per micro-batch.")]
    public int BatchSize { get; set; } = 8;

    /// <summary>Micro-batches per optimizer step.</summary>
    [Range(1, 4096)]
    [Description("Micro-batches accumulated per optimizer step.")]
    public int GradientAccumulation { get; set; } = 1;

    /// <summary>Fraction of steps spent warming up linearly.</summary>
    [Range(0.0, 1.0)]
    [Description("Fraction of steps with linear warm-up.")]
    public double WarmupRatio { get; set; } = 0.03;

    /// <summary>Learning-rate schedule after warm-up.</summary>
    [Description("Schedule after warm-up: cosine, linear or constant.")]
    public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

    /// <summary>AdamW decoupled weight decay.</summary>
    [Range(0.0, 10.0)]
    [Description("AdamW decoupled weight decay.")]
    public double WeightDecay { get; set; }

    /// <summary>Global gradient-norm clip (0 = off).</summary>
    [Range(0.0, 1e6)]
    [Description("Global gradient-norm clipping threshold; 0 disables.")]
    public double MaxGradNorm { get; set; } = 1.0;

    /// <summary>Save the resumable training state every this many optimizer steps (and at every validation and the end).</summary>
    [Range(1, int.MaxValue)]
    [Description("Save the resumable training state every N optimizer steps (also at each validation and at the end).")]
    public int CheckpointEverySteps { get; set; } = 50;

    /// <summary>Tokens with probability at or above this are counted as easy in the per-step log (the paper's Figure 3c).</summary>
    [Range(0.0, 1.0)]
    [Description("Probability threshold of the per-step 'tokens/easy_fraction' log entry (share of supervised tokens the model predicts with at least this probability).")]
    public double TokenProbabilityThreshold { get; set; } = 0.5;

    /// <summary>AdamW β1.</summary>
    [Range(0.0, 0.999999)]
    public double Beta1 { get; set; } = 0.9;

    /// <summary>AdamW β2.</summary>
    [Range(0.0, 0.999999999)]
    public double Beta2 { get; set; } = 0.999;

    /// <summary>AdamW ε.</summary>
    [Range(0.0, 1.0)]
    public double Epsilon { get; set; } = 1e-8;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => [];
}

/// <summary>Learning-rate schedule after warm-up.</summary>
public enum ScheduleKind
{
    /// <summary>Cosine decay to zero.</summary>
    Cosine,
    /// <summary>Linear decay to zero.</summary>
    Linear,
    /// <summary>Constant.</summary>
    Constant,
}

/// <summary>Domain validation and checkpoint selection.</summary>
public sealed class ValidationSettings
{
    /// <summary>Validate every this many optimizer steps (and at the end); 0 = only at the end.</summary>
    [Range(0, int.MaxValue)]
    [Description("Validate on the domain every N optimizer steps (and at the end); 0 = only at the end.")]
    public int EverySteps { get; set; }

    /// <summary>Validate on at most this many validation examples.</summary>
    [Range(1, int.MaxValue)]
    [Description("Validate on at most this many validation examples.")]
    public int? Limit { get; set; }

    /// <summary>Domain test examples to evaluate the selected checkpoint on (all when unset).</summary>
    [Range(1, int.MaxValue)]
    [Description("Evaluate the selected checkpoint on at most this many test examples.")]
    public int? TestLimit { get; set; }
}

/// <summary>How the general score aggregates benchmarks (paper, appendix C.3).</summary>
public sealed class GeneralSettings
{
    /// <summary>Benchmarks on which the initial model scores below this are excluded from the mean (and reported).</summary>
    [Range(0.0, 1.0)]
    [Description("Exclude benchmarks where the initial model scores below this threshold.")]
    public double Threshold { get; set; } = 0.5;

    /// <summary>Evaluate each benchmark on at most this many items.</summary>
    [Range(1, int.MaxValue)]
    [Description("Evaluate each general benchmark on at most this many items (seeded subsample).")]
    public int? Limit { get; set; }
}

/// <summary>How a run's selected checkpoint is written (as transformers' <c>save_pretrained</c> writes it).</summary>
public sealed class SaveSettings
{
    /// <summary>Weight dtype of <c>best/</c>.</summary>
    [Description("Weight dtype of best/: auto (as the base checkpoint stores most of its weights, e.g. bf16 for a bf16 model; fp32 for an fp32 one), fp32 (keeps updates smaller than bf16's precision), bf16 or fp16.")]
    public SaveDType DType { get; set; } = SaveDType.Auto;

    /// <summary>Largest shard in bytes.</summary>
    [Range(1d, (double)long.MaxValue)]
    [Description("Largest weight file in bytes; a larger checkpoint is split into model-0000i-of-0000n.safetensors shards with model.safetensors.index.json, as transformers splits them (default 5 GB, huggingface_hub's default).")]
    public long MaxShardBytes { get; set; } = 5_000_000_000;
}

/// <summary>Stored weight dtypes of a saved checkpoint.</summary>
public enum SaveDType
{
    /// <summary>The base checkpoint's dtype (bf16, fp16 or fp32; fp32 for anything else).</summary>
    Auto,
    /// <summary>IEEE single.</summary>
    Fp32,
    /// <summary>bfloat16 (round to nearest even).</summary>
    Bf16,
    /// <summary>IEEE half.</summary>
    Fp16,
}

/// <summary>Plugin folders named by the configuration.</summary>
public sealed class PluginSettings
{
    /// <summary>Folders searched before RETAIN_PLUGIN_PATH and the default plugins folder.</summary>
    [Description("Plugin folders searched before RETAIN_PLUGIN_PATH and the default folder.")]
    public List<string> Paths { get; set; } = [];
}
