namespace Retain.Training;

/// <summary>
/// Changes which parameters train and how the forward works (LoRA), and exports the result in the adapter's own
/// format beside the merged checkpoint the kernel always writes.
/// </summary>
public interface IModelAdapter : ITrainingStrategy
{
    /// <summary>Declares the adaptation before training starts.</summary>
    void Configure(IAdapterBuilder builder);

    /// <summary>Writes the adapter's own files (e.g. a PEFT adapter) into <paramref name="export"/>'s directory.</summary>
    void Export(IAdapterExport export);
}

/// <summary>What an adapter may change in the model the kernel built.</summary>
public interface IAdapterBuilder
{
    /// <summary>The linear module names present in the model (q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj).</summary>
    IReadOnlyList<string> LinearModules { get; }

    /// <summary>Number of transformer layers.</summary>
    int LayerCount { get; }

    /// <summary>The run's seed, for adapters that initialise parameters or draw dropout masks.</summary>
    int Seed { get; }

    /// <summary>Freezes every base parameter; only adapter parameters train.</summary>
    void FreezeBaseModel();

    /// <summary>
    /// Adds W' = W + (alpha/rank)·B·A to each targeted linear module, with A initialised Kaiming-uniform
    /// (a = √5, as PEFT) from <see cref="LowRankSpec.Seed"/> and B zero, and dropout applied to the module input on the
    /// low-rank path only.
    /// </summary>
    void AddLowRank(LowRankSpec spec);
}

/// <summary>A low-rank adaptation of linear modules.</summary>
/// <param name="TargetModules">Module names (see <see cref="IAdapterBuilder.LinearModules"/>).</param>
/// <param name="Rank">r.</param>
/// <param name="Alpha">The scaling numerator; the update is scaled by Alpha/Rank.</param>
/// <param name="Dropout">Dropout probability on the low-rank path.</param>
/// <param name="Seed">Seed of A's initialisation and of the dropout masks.</param>
public sealed record LowRankSpec(IReadOnlyList<string> TargetModules, int Rank, float Alpha, float Dropout, int Seed);

/// <summary>The trained adapter tensors, for export.</summary>
public interface IAdapterExport
{
    /// <summary>The directory to write into (exists).</summary>
    string Directory { get; }

    /// <summary>The base model's directory, as given in the run configuration.</summary>
    string BaseModelPath { get; }

    /// <summary>
    /// The low-rank tensors by module, named as in the base model without the <c>.weight</c> suffix
    /// (e.g. <c>model.layers.0.self_attn.q_proj</c>); A is [rank, in], B is [out, rank], row-major.
    /// </summary>
    IReadOnlyList<LowRankTensors> LowRankModules { get; }

    /// <summary>Writes tensors as a safetensors file (float32), atomically.</summary>
    void WriteSafetensors(string fileName, IReadOnlyList<NamedTensor> tensors);
}

/// <summary>The two factors of one adapted module.</summary>
public sealed record LowRankTensors(string Module, int Rank, float Alpha, NamedTensor A, NamedTensor B);

/// <summary>A host-memory tensor.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Values);
