using System.Runtime.InteropServices;

namespace Retain.Kernel.Backends.Cpu;

/// <summary>64-byte aligned native memory, so SIMD loads and BLAS calls see stable, aligned pointers and the GC never moves or scans it.</summary>
internal sealed unsafe class CpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private T* _pointer;

    public CpuBuffer(IBackend backend, long length) : base(backend, length)
    {
        nuint bytes = (nuint)Math.Max(1, length) * (nuint)sizeof(T);
        _pointer = (T*)NativeMemory.AlignedAlloc(bytes, 64);
        if (_pointer is null) throw new OutOfMemoryException($"Could not allocate {bytes} bytes of host memory.");
        NativeMemory.Clear(_pointer, bytes);
        if (bytes > 1 << 20) GC.AddMemoryPressure((long)bytes);
        _bytes = (long)bytes;
    }

    private readonly long _bytes;

    /// <summary>The first element.</summary>
    public T* Pointer => _pointer is not null ? _pointer : throw new ObjectDisposedException(nameof(CpuBuffer<T>));

    protected override void Release()
    {
        if (_pointer is null) return;
        NativeMemory.AlignedFree(_pointer);
        _pointer = null;
        if (_bytes > 1 << 20) GC.RemoveMemoryPressure(_bytes);
    }
}
