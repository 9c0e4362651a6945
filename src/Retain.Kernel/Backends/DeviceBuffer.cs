namespace Retain.Kernel.Backends;

/// <summary>
/// Memory owned by a backend (host memory for the CPU backend, device memory for CUDA). Model code never touches its
/// elements directly; it passes <see cref="BufferView{T}"/>s of it to the backend's ops.
/// </summary>
/// <typeparam name="T">Element type: <see cref="float"/> for tensors, <see cref="int"/> for token ids and indices.</typeparam>
public abstract class DeviceBuffer<T> : IDisposable where T : unmanaged
{
    /// <summary>Creates a buffer record of <paramref name="length"/> elements.</summary>
    protected DeviceBuffer(IBackend backend, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Backend = backend;
        Length = length;
    }

    /// <summary>The backend that owns the memory.</summary>
    public IBackend Backend { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>The whole buffer.</summary>
    public BufferView<T> View => new(this, 0, Length);

    /// <summary>A range of the buffer.</summary>
    public BufferView<T> Slice(long offset, long length) => View.Slice(offset, length);

    /// <summary>Releases the memory.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the backend memory; called once.</summary>
    protected abstract void Release();

    /// <summary>Frees memory a caller forgot to dispose.</summary>
    ~DeviceBuffer() => Release();
}

/// <summary>A contiguous range of a <see cref="DeviceBuffer{T}"/>: what every op takes.</summary>
public readonly struct BufferView<T> where T : unmanaged
{
    /// <summary>Creates a view; the range must lie inside the buffer.</summary>
    public BufferView(DeviceBuffer<T> buffer, long offset, long length)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (offset < 0 || length < 0 || offset + length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"View [{offset}, {offset + length}) lies outside a buffer of {buffer.Length} elements.");
        }
        Buffer = buffer;
        Offset = offset;
        Length = length;
    }

    /// <summary>The absent view, for optional op arguments (e.g. no bias, no gradient wanted).</summary>
    public static BufferView<T> None => default;

    /// <summary>The underlying buffer (null for <see cref="None"/>).</summary>
    public DeviceBuffer<T>? Buffer { get; }

    /// <summary>First element, relative to the buffer.</summary>
    public long Offset { get; }

    /// <summary>Number of elements.</summary>
    public long Length { get; }

    /// <summary>Whether this is <see cref="None"/>.</summary>
    public bool IsNone => Buffer is null;

    /// <summary>A sub-range of this view.</summary>
    public BufferView<T> Slice(long offset, long length)
    {
        if (Buffer is null) throw new InvalidOperationException("Cannot slice an absent view.");
        if (offset < 0 || length < 0 || offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length),
                $"Slice [{offset}, {offset + length}) lies outside a view of {Length} elements.");
        }
        return new BufferView<T>(Buffer, Offset + offset, length);
    }

    /// <summary>The first <paramref name="length"/> elements.</summary>
    public BufferView<T> Take(long length) => Slice(0, length);
}
