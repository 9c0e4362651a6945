using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Adapters;

/// <summary>The kernel side of <see cref="IAdapterBuilder"/>: what an <see cref="IModelAdapter"/> may change in a loaded model.</summary>
public sealed class AdapterBuilder(TransformerModel model, int seed) : IAdapterBuilder
{
    /// <inheritdoc />
    public int Seed => seed;

    /// <inheritdoc />
    public IReadOnlyList<string> LinearModules => TransformerModel.LinearModuleKinds;

    /// <inheritdoc />
    public int LayerCount => model.Config.LayerCount;

    /// <summary>Whether <see cref="FreezeBaseModel"/> was called.</summary>
    public bool BaseFrozen { get; private set; }

    /// <inheritdoc />
    public void FreezeBaseModel()
    {
        BaseFrozen = true;
        model.FreezeBaseModel();
    }

    /// <inheritdoc />
    public void AddLowRank(LowRankSpec spec) => model.AddLowRank(spec);
}
