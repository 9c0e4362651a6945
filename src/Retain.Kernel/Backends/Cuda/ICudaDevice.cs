using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

/// <summary>
/// What the CUDA backend needs from a GPU: raw memory, copies on one stream, kernel launches and cuBLAS GEMMs. The real
/// implementation is <see cref="CudaDevice"/>; tests drive the backend's host logic through a recording fake. All
/// work is ordered on one stream; the copy calls return only when host memory may be reused or read.
/// </summary>
internal unsafe interface ICudaDevice : IDisposable
{
    /// <summary>The GPU's name.</summary>
    string Name { get; }

    /// <summary>Compute capability as major·10 + minor (e.g. 90).</summary>
    int ComputeCapability { get; }

    /// <summary>Allocates device memory; returns the raw driver result (0 or CUDA_ERROR_OUT_OF_MEMORY) instead of throwing on out-of-memory.</summary>
    int TryAllocate(long bytes, out ulong address);

    /// <summary>Frees device memory (after the stream has finished with it).</summary>
    void Free(ulong address);

    /// <summary>Free and total device memory in bytes.</summary>
    (long Free, long Total) MemoryInfo();

    /// <summary>Copies host memory to the device; returns when <paramref name="source"/> may be reused.</summary>
    void CopyHostToDevice(ulong destination, void* source, long bytes);

    /// <summary>Copies device memory to the host after all queued work; returns when the bytes have arrived.</summary>
    void CopyDeviceToHost(void* destination, ulong source, long bytes);

    /// <summary>Queues a device-to-device copy.</summary>
    void CopyDeviceToDevice(ulong destination, ulong source, long bytes);

    /// <summary>Queues setting <paramref name="count"/> 32-bit words.</summary>
    void Fill32(ulong destination, uint value, long count);

    /// <summary>Waits for all queued work.</summary>
    void Synchronize();

    /// <summary>Queues a kernel launch (arguments already checked against <paramref name="kernel"/>).</summary>
    void Launch(KernelSpec kernel, Dim3 grid, int blockThreads, int sharedBytes, ReadOnlySpan<KernelArg> arguments);

    /// <summary>Queues a cuBLAS GEMM (column-major terms).</summary>
    void Gemm(in GemmCall call);
}
