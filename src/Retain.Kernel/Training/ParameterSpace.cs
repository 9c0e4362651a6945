using Retain.Kernel.Backends;
using Retain.Kernel.Models;
using Retain.Training;

namespace Retain.Kernel.Training;

/// <summary>
/// <see cref="IParameterSpace"/> over a model's trainable tensors, with an optional snapshot θ0 of their initial values
/// kept on the same backend (taken when a regularizer asks for it).
/// </summary>
public sealed class ParameterSpace : IParameterSpace, IDisposable
{
    private readonly IBackend _backend;
    private readonly ParameterTensor[] _tensors;
    private readonly DeviceBuffer<float>? _initial;
    private readonly long[] _initialOffsets;
    private DeviceBuffer<float>? _scratch;

    /// <summary>Creates the space; with <paramref name="keepInitial"/> the current values are copied as θ0.</summary>
    public ParameterSpace(TransformerModel model, bool keepInitial)
    {
        _backend = model.Backend;
        _tensors = model.Parameters.Tensors.Where(t => t.Trainable).ToArray();
        Trainable = _tensors.Select(t => new ParameterInfo(t.Name, t.Shape.ToArray())).ToArray();
        TrainableElementCount = _tensors.Sum(t => t.Length);
        _initialOffsets = new long[_tensors.Length];
        if (!keepInitial) return;
        _initial = _backend.Allocate(TrainableElementCount);
        long offset = 0;
        for (int i = 0; i < _tensors.Length; i++)
        {
            _initialOffsets[i] = offset;
            _backend.Copy(_tensors[i].Value, _initial.Slice(offset, _tensors[i].Length));
            offset += _tensors[i].Length;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<ParameterInfo> Trainable { get; }

    /// <inheritdoc />
    public long TrainableElementCount { get; }

    /// <summary>Whether θ0 is kept.</summary>
    public bool HasInitial => _initial is not null;

    private BufferView<float> Initial(int p) => _initial is null
        ? throw new InvalidOperationException("The initial weights were not kept: the regularizer must set NeedsInitialWeights.")
        : _initial.Slice(_initialOffsets[p], _tensors[p].Length);

    private ParameterTensor Tensor(int p) => (uint)p < (uint)_tensors.Length ? _tensors[p] : throw new ArgumentOutOfRangeException(nameof(p), $"Parameter index {p} is outside 0..{_tensors.Length - 1}.");

    /// <inheritdoc />
    public double SquaredDistanceToInitial(int parameter) => _backend.SquaredDistance(Tensor(parameter).Value, Initial(parameter));

    /// <inheritdoc />
    public void AddDistanceToInitialGradient(int parameter, float scale) =>
        _backend.AddScaledDifference(Tensor(parameter).Gradient, Tensor(parameter).Value, Initial(parameter), scale);

    /// <inheritdoc />
    public void ReadValues(int parameter, Span<float> destination) => _backend.Download(Tensor(parameter).Value, destination);

    /// <inheritdoc />
    public void ReadInitialValues(int parameter, Span<float> destination) => _backend.Download(Initial(parameter), destination);

    /// <inheritdoc />
    public void AddToGradient(int parameter, ReadOnlySpan<float> delta)
    {
        var t = Tensor(parameter);
        if (delta.Length != t.Length) throw new ArgumentException($"{t.Name} has {t.Length} elements; the delta has {delta.Length}.");
        if (_scratch is null || _scratch.Length < t.Length)
        {
            _scratch?.Dispose();
            _scratch = _backend.Allocate(_tensors.Max(x => x.Length));
        }
        var staging = _scratch.Slice(0, t.Length);
        _backend.Upload(delta, staging);
        _backend.AddInPlace(t.Gradient, staging);
    }

    /// <summary>Frees θ0 and the staging buffer.</summary>
    public void Dispose()
    {
        _initial?.Dispose();
        _scratch?.Dispose();
    }
}
