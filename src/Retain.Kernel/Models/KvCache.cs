using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>Keys and values of past tokens for generation: per layer, slots × capacity × kvHeads × headDim.</summary>
public sealed class KvCache : IDisposable
{
    private readonly DeviceBuffer<float>[] _keys;
    private readonly DeviceBuffer<float>[] _values;

    /// <summary>Allocates a cache for <paramref name="slots"/> sequences of up to <paramref name="capacity"/> tokens.</summary>
    public KvCache(TransformerModel model, int slots, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (capacity > model.MaxPositions) throw new ArgumentOutOfRangeException(nameof(capacity), $"The model supports {model.MaxPositions} positions, not {capacity}.");
        Slots = slots;
        Capacity = capacity;
        long size = (long)slots * capacity * model.Config.KvHeadCount * model.Config.HeadDim;
        _keys = new DeviceBuffer<float>[model.Config.LayerCount];
        _values = new DeviceBuffer<float>[model.Config.LayerCount];
        for (int l = 0; l < _keys.Length; l++)
        {
            _keys[l] = model.Backend.Allocate(size);
            _values[l] = model.Backend.Allocate(size);
        }
    }

    /// <summary>Sequences it can hold.</summary>
    public int Slots { get; }

    /// <summary>Tokens per sequence.</summary>
    public int Capacity { get; }

    internal BufferView<float> Keys(int layer) => _keys[layer].View;

    internal BufferView<float> Values(int layer) => _values[layer].View;

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        foreach (var b in _keys) b.Dispose();
        foreach (var b in _values) b.Dispose();
    }
}
