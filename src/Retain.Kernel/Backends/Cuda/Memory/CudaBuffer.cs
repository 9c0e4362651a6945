namespace Retain.Kernel.Backends.Cuda.Memory;

/// <summary>Device memory from the backend's caching allocator; the backend zero-fills it on allocation.</summary>
internal sealed unsafe class CudaBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly CachingAllocator _allocator;
    private readonly long _bytes;
    private ulong _address;

    public CudaBuffer(IBackend backend, CachingAllocator allocator, long length) : base(backend, length)
    {
        _allocator = allocator;
        _bytes = length * sizeof(T);
        _address = allocator.Allocate(_bytes);
    }

    /// <summary>The device address of element 0.</summary>
    public ulong Address => _address != 0 || Length == 0 ? _address : throw new ObjectDisposedException(nameof(CudaBuffer<T>));

    /// <summary>Bytes of the buffer.</summary>
    public long Bytes => _bytes;

    protected override void Release()
    {
        ulong address = Interlocked.Exchange(ref _address, 0);
        if (address != 0) _allocator.Return(address, _bytes);
    }
}
