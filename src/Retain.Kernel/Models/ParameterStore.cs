using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>What a parameter is, which decides weight decay and how adapters treat it.</summary>
public enum ParameterKind
{
    /// <summary>A matrix of a linear layer.</summary>
    Matrix,
    /// <summary>The token embedding (and tied LM head).</summary>
    Embedding,
    /// <summary>An untied LM head.</summary>
    LmHead,
    /// <summary>A bias vector.</summary>
    Bias,
    /// <summary>A norm weight.</summary>
    Norm,
    /// <summary>A LoRA A factor [rank, in].</summary>
    LoraA,
    /// <summary>A LoRA B factor [out, rank].</summary>
    LoraB,
}

/// <summary>One named parameter tensor: a view of the store's value buffer and, once allocated, of its gradient buffer.</summary>
public sealed class ParameterTensor
{
    internal ParameterTensor(string name, int[] shape, ParameterKind kind, int group, long offset)
    {
        Name = name;
        Shape = shape;
        Kind = kind;
        Group = group;
        Offset = offset;
        Length = shape.Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>The Hugging Face tensor name (LoRA factors: PEFT-style names).</summary>
    public string Name { get; }

    /// <summary>Shape, row-major.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Role of the tensor.</summary>
    public ParameterKind Kind { get; }

    /// <summary>Elements.</summary>
    public long Length { get; }

    /// <summary>Whether the optimizer updates it.</summary>
    public bool Trainable { get; set; } = true;

    /// <summary>Whether AdamW decays it (matrices and embeddings; not norms or biases, as the Hugging Face Trainer).</summary>
    public bool Decays => Kind is ParameterKind.Matrix or ParameterKind.Embedding or ParameterKind.LmHead or ParameterKind.LoraA or ParameterKind.LoraB;

    internal int Group { get; }

    internal long Offset { get; }

    internal ParameterStore? Store { get; set; }

    /// <summary>The values.</summary>
    public BufferView<float> Value => Store!.ValueBuffer(Group).Slice(Offset, Length);

    /// <summary>The gradient, or <see cref="BufferView{T}.None"/> when the tensor is frozen or gradients are not allocated.</summary>
    public BufferView<float> Gradient => Trainable && Store!.HasGradients ? Store.GradientBuffer(Group).Slice(Offset, Length) : BufferView<float>.None;
}

/// <summary>A contiguous range of trainable tensors with one weight-decay setting: the unit AdamW and the norm reductions run on.</summary>
/// <param name="Values">Parameter values.</param>
/// <param name="Gradients">Their gradients.</param>
/// <param name="Decays">Whether weight decay applies.</param>
/// <param name="Group">Buffer group.</param>
/// <param name="Offset">Offset in the group.</param>
public readonly record struct ParameterRun(BufferView<float> Values, BufferView<float> Gradients, bool Decays, int Group, long Offset);

/// <summary>
/// Every parameter of a model, packed into a few flat buffers (llm.c style): matrices and embeddings together, norms
/// and biases together, adapter factors together. Flat groups let AdamW, clipping and zeroing run as a handful of
/// calls instead of one per tensor; tensor names and shapes keep Hugging Face's so checkpoints map one to one.
/// </summary>
public sealed class ParameterStore : IDisposable
{
    private readonly List<ParameterTensor> _tensors = [];
    private readonly Dictionary<string, ParameterTensor> _byName = new(StringComparer.Ordinal);
    private readonly List<DeviceBuffer<float>> _values = [];
    private readonly List<DeviceBuffer<float>?> _gradients = [];

    /// <summary>Creates a store on a backend.</summary>
    public ParameterStore(IBackend backend) => Backend = backend;

    /// <summary>The backend holding the buffers.</summary>
    public IBackend Backend { get; }

    /// <summary>All tensors, in allocation order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors => _tensors;

    /// <summary>Whether gradient buffers exist.</summary>
    public bool HasGradients { get; private set; }

    /// <summary>A tensor by name.</summary>
    public ParameterTensor this[string name] => _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"The model has no parameter '{name}'.");

    /// <summary>Whether a tensor exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Total elements.</summary>
    public long ElementCount => _tensors.Sum(t => t.Length);

    /// <summary>Allocates a group of tensors in one buffer; returns them in the given order.</summary>
    public IReadOnlyList<ParameterTensor> AddGroup(IEnumerable<(string Name, int[] Shape, ParameterKind Kind)> tensors)
    {
        int group = _values.Count;
        long offset = 0;
        var created = new List<ParameterTensor>();
        foreach (var (name, shape, kind) in tensors)
        {
            if (_byName.ContainsKey(name)) throw new ArgumentException($"Parameter '{name}' is defined twice.");
            var t = new ParameterTensor(name, shape, kind, group, offset) { Store = this };
            offset += t.Length;
            created.Add(t);
        }
        _values.Add(Backend.Allocate(offset));
        _gradients.Add(HasGradients ? Backend.Allocate(offset) : null);
        _version++;
        foreach (var t in created)
        {
            _tensors.Add(t);
            _byName[t.Name] = t;
        }
        return created;
    }

    internal DeviceBuffer<float> ValueBuffer(int group) => _values[group];

    internal DeviceBuffer<float> GradientBuffer(int group) => _gradients[group] ?? throw new InvalidOperationException("Gradients are not allocated.");

    /// <summary>Allocates (zeroed) gradient buffers for every group.</summary>
    public void EnsureGradients()
    {
        for (int g = 0; g < _values.Count; g++) _gradients[g] ??= Backend.Allocate(_values[g].Length);
        HasGradients = true;
        _version++;
    }

    /// <summary>Maximal contiguous runs of trainable tensors sharing a decay setting.</summary>
    public IReadOnlyList<ParameterRun> TrainableRuns()
    {
        var runs = new List<ParameterRun>();
        foreach (var group in _tensors.GroupBy(t => t.Group))
        {
            ParameterTensor? start = null;
            long end = 0;
            bool decays = false;
            void Flush()
            {
                if (start is null) return;
                long length = end - start.Offset;
                runs.Add(new ParameterRun(_values[start.Group].Slice(start.Offset, length),
                    HasGradients ? _gradients[start.Group]!.Slice(start.Offset, length) : BufferView<float>.None, decays, start.Group, start.Offset));
                start = null;
            }
            foreach (var t in group.OrderBy(t => t.Offset))
            {
                if (!t.Trainable || (start is not null && t.Decays != decays)) Flush();
                if (!t.Trainable) continue;
                if (start is null)
                {
                    start = t;
                    decays = t.Decays;
                }
                end = t.Offset + t.Length;
            }
            Flush();
        }
        return runs;
    }

    /// <summary>Zeroes the gradients of trainable tensors.</summary>
    public void ZeroGradients()
    {
        var runs = TrainableRunsCached();
        for (int i = 0; i < runs.Count; i++) Backend.Fill(runs[i].Gradients, 0f);
    }

    private IReadOnlyList<ParameterRun>? _runCache;
    private int _runCacheVersion = -1;
    private int _version;

    /// <summary>Call after changing <see cref="ParameterTensor.Trainable"/> flags so cached runs are rebuilt.</summary>
    public void InvalidateRuns() => _version++;

    /// <summary>The trainable runs, cached until <see cref="InvalidateRuns"/> (no allocation per step).</summary>
    public IReadOnlyList<ParameterRun> TrainableRunsCached()
    {
        if (_runCache is null || _runCacheVersion != _version)
        {
            _runCache = TrainableRuns();
            _runCacheVersion = _version;
        }
        return _runCache;
    }

    /// <summary>Copies every value into host memory, by tensor name.</summary>
    public float[] ReadHost(ParameterTensor tensor)
    {
        var host = new float[tensor.Length];
        Backend.Download(tensor.Value, host);
        return host;
    }

    /// <summary>Frees the buffers.</summary>
    public void Dispose()
    {
        foreach (var b in _values) b.Dispose();
        foreach (var b in _gradients) b?.Dispose();
    }
}
