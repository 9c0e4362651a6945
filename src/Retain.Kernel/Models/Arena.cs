using Retain.Kernel.Backends;

namespace Retain.Kernel.Models;

/// <summary>
/// Hands out views of one backend buffer. A layout function runs twice: once against a measuring arena to learn the
/// total size, once against the allocated one, so all activation buffers of a workspace are planned up front.
/// </summary>
internal sealed class Arena
{
    private readonly DeviceBuffer<float>? _floats;
    private readonly DeviceBuffer<int>? _ints;
    private long _floatOffset, _intOffset;

    private Arena(DeviceBuffer<float>? floats, DeviceBuffer<int>? ints)
    {
        _floats = floats;
        _ints = ints;
    }

    public long FloatsUsed => _floatOffset;

    public long IntsUsed => _intOffset;

    public BufferView<float> Floats(long length)
    {
        // 16-float alignment keeps every view 64-byte aligned.
        long start = _floatOffset;
        _floatOffset += (Math.Max(length, 1) + 15) / 16 * 16;
        return _floats is null ? default : _floats.Slice(start, length);
    }

    public BufferView<int> Ints(long length)
    {
        long start = _intOffset;
        _intOffset += (Math.Max(length, 1) + 15) / 16 * 16;
        return _ints is null ? default : _ints.Slice(start, length);
    }

    /// <summary>Runs <paramref name="layout"/> to size, allocates, and runs it again to hand out real views.</summary>
    public static (DeviceBuffer<float> Floats, DeviceBuffer<int> Ints) Build(IBackend backend, Action<Arena> layout)
    {
        var measure = new Arena(null, null);
        layout(measure);
        var floats = backend.Allocate(measure._floatOffset);
        var ints = backend.AllocateInt(measure._intOffset);
        layout(new Arena(floats, ints));
        return (floats, ints);
    }
}
