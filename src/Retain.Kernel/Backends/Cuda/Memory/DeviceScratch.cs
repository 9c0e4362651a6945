using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Kernel.Backends.Cuda.Memory;

/// <summary>
/// A grow-only block of device scratch memory for one purpose (bf16 operand copies, attention gradients, reduction
/// partials). Ops use it in stream order, so one block serves every op; a replaced block goes back to the allocator.
/// </summary>
internal sealed class DeviceScratch(CachingAllocator allocator) : IDisposable
{
    private ulong _address;
    private long _bytes;

    /// <summary>At least <paramref name="bytes"/> bytes (contents undefined).</summary>
    public DevicePointer Get(long bytes)
    {
        if (bytes > _bytes)
        {
            allocator.Return(_address, _bytes);
            _address = 0;
            _bytes = 0;
            long size = Math.Max(bytes, CachingAllocator.RoundUp(bytes));
            _address = allocator.Allocate(size);
            _bytes = size;
        }
        // Scratch is reused by every op: poisoned anew, each op sees none of the previous op's values.
        return new DevicePointer(allocator.Poisoned(_address, bytes), bytes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        allocator.Return(_address, _bytes);
        _address = 0;
        _bytes = 0;
    }
}
