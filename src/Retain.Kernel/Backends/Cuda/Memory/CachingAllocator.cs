using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda.Memory;

/// <summary>
/// Device memory behind a cache of freed blocks (sizes rounded to 512 B, or to 2 MiB above 1 MiB), so steps that
/// free and reallocate the same shapes never reach cuMemAlloc. When the device is full, the cached blocks are freed
/// and the allocation retried once; if it still fails the error gives the size asked for and the free memory.
/// Blocks returned from any thread (e.g. a finalizer) only enter the cache: reuse happens on the owning thread, in
/// stream order, so work still queued on a block finishes before later work overwrites it.
/// </summary>
/// <param name="device">The device.</param>
/// <param name="poison">Whether every block handed out is first filled with <see cref="CudaBackendOptions.PoisonPattern"/>.</param>
internal sealed class CachingAllocator(ICudaDevice device, bool poison = false) : IDisposable
{
    private const long SmallGranularity = 512;
    private const long LargeGranularity = 2L << 20;
    private const long SmallLimit = 1L << 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Stack<ulong>> _free = new();
    private bool _disposed;

    /// <summary>Bytes obtained from the device and not yet given back to it.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>The most <see cref="HeldBytes"/> has been: the peak device memory Retain used.</summary>
    public long PeakHeldBytes { get; private set; }

    /// <summary>Bytes of <see cref="HeldBytes"/> sitting in the cache.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>The block size an allocation of <paramref name="bytes"/> uses.</summary>
    public static long RoundUp(long bytes)
    {
        long granularity = bytes <= SmallLimit ? SmallGranularity : LargeGranularity;
        return (Math.Max(bytes, 1) + granularity - 1) / granularity * granularity;
    }

    /// <summary>A block of at least <paramref name="bytes"/> bytes (contents undefined); 0 for 0 bytes.</summary>
    public ulong Allocate(long bytes)
    {
        if (bytes == 0) return 0;
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long size = RoundUp(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                CachedBytes -= size;
                return Poisoned(stack.Pop(), size);
            }
        }
        int result = device.TryAllocate(size, out ulong address);
        if (result == CudaDriver.ErrorOutOfMemory)
        {
            ReleaseCached();
            result = device.TryAllocate(size, out address);
        }
        if (result == CudaDriver.ErrorOutOfMemory)
        {
            var (free, total) = device.MemoryInfo();
            throw new CudaOutOfMemoryException(
                $"CUDA out of memory on {device.Name}: could not allocate {Format(bytes)} ({bytes} bytes); {Format(free)} free of {Format(total)}, " +
                $"of which Retain holds {Format(HeldBytes)}. Use smaller batches or shorter sequences, LoRA, or a GPU with more memory.",
                bytes, free, total);
        }
        if (result != 0) throw new CudaException(CudaLibrary.Driver, "cuMemAlloc_v2", result, $"allocating {bytes} bytes");
        lock (_gate)
        {
            HeldBytes += size;
            PeakHeldBytes = Math.Max(PeakHeldBytes, HeldBytes);
        }
        return Poisoned(address, size);
    }

    /// <summary>Fills the first <paramref name="bytes"/> (rounded up to words) of a block with the poison, when poisoning is on.</summary>
    public ulong Poisoned(ulong address, long bytes)
    {
        if (poison && address != 0) device.Fill32(address, CudaBackendOptions.PoisonPattern, (bytes + sizeof(uint) - 1) / sizeof(uint));
        return address;
    }

    /// <summary>Returns a block from <see cref="Allocate"/> to the cache (any thread).</summary>
    public void Return(ulong address, long bytes)
    {
        if (address == 0) return;
        long size = RoundUp(bytes);
        lock (_gate)
        {
            if (_disposed) return;
            if (!_free.TryGetValue(size, out var stack)) _free[size] = stack = new Stack<ulong>();
            stack.Push(address);
            CachedBytes += size;
        }
    }

    /// <summary>Gives every cached block back to the device (after the stream has drained).</summary>
    public void ReleaseCached()
    {
        List<(ulong, long)> blocks;
        lock (_gate)
        {
            blocks = _free.SelectMany(kv => kv.Value.Select(a => (a, kv.Key))).ToList();
            _free.Clear();
            CachedBytes = 0;
        }
        if (blocks.Count == 0) return;
        device.Synchronize();
        foreach (var (address, size) in blocks)
        {
            device.Free(address);
            lock (_gate) HeldBytes -= size;
        }
    }

    /// <summary>"1.50 GiB"-style sizes for messages.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int unit = 0;
        while (Math.Abs(value) >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{value:0.00} {units[unit]}");
    }

    /// <summary>Stops caching; the device frees whatever is left when its context goes.</summary>
    public void Dispose()
    {
        ReleaseCached();
        lock (_gate) _disposed = true;
    }
}
