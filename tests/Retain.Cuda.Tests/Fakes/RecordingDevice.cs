using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Cuda.Tests.Fakes;

/// <summary>Runs a kernel launch on the host (the kernel emulator), or null to only record launches.</summary>
internal delegate void KernelExecutor(KernelSpec kernel, Dim3 grid, int blockThreads, ReadOnlySpan<KernelArg> arguments);

/// <summary>
/// A stand-in GPU for the backend's host logic: "device memory" is host memory (so copies and fills really happen),
/// every launch is recorded and checked (pointers inside live allocations for the extent the op declares, grid and
/// block limits) and run by <paramref name="executor"/> when one is given (the kernel emulator), and cuBLAS GEMMs are
/// checked for operand extents and executed on the host (bf16 operands widened from their bits), so the row-major to
/// column-major GEMM plumbing can be compared numerically with the CPU.
/// </summary>
internal sealed unsafe class RecordingDevice(long capacityBytes = 1L << 30, KernelExecutor? executor = null) : ICudaDevice
{
    private readonly SortedDictionary<ulong, long> _allocations = new();
    private long _used;

    public string Name => "Recording test device";

    public int ComputeCapability => 90;

    public List<(KernelSpec Kernel, Dim3 Grid, int Block, int Shared)> Launches { get; } = [];

    public List<GemmCall> Gemms { get; } = [];

    public int DeviceAllocations { get; private set; }

    public int Frees { get; private set; }

    public int Synchronizations { get; private set; }

    /// <summary>Live allocations (address → bytes).</summary>
    public IReadOnlyDictionary<ulong, long> Allocations => _allocations;

    public int TryAllocate(long bytes, out ulong address)
    {
        address = 0;
        if (_used + bytes > capacityBytes) return CudaDriver.ErrorOutOfMemory;
        address = (ulong)NativeMemory.AlignedAlloc((nuint)bytes, 256);
        new Span<uint>((void*)address, checked((int)(bytes / sizeof(uint)))).Fill(CudaBackendOptions.PoisonPattern);
        _allocations[address] = bytes;
        _used += bytes;
        DeviceAllocations++;
        return 0;
    }

    public void Free(ulong address)
    {
        if (!_allocations.Remove(address, out long bytes)) throw new InvalidOperationException($"Free of unknown address 0x{address:x}.");
        _used -= bytes;
        Frees++;
        NativeMemory.AlignedFree((void*)address);
    }

    public (long Free, long Total) MemoryInfo() => (capacityBytes - _used, capacityBytes);

    public void CopyHostToDevice(ulong destination, void* source, long bytes)
    {
        CheckRange(destination, bytes, "copy destination");
        Buffer.MemoryCopy(source, (void*)destination, bytes, bytes);
    }

    public void CopyDeviceToHost(void* destination, ulong source, long bytes)
    {
        CheckRange(source, bytes, "copy source");
        Buffer.MemoryCopy((void*)source, destination, bytes, bytes);
        Synchronizations++;
    }

    public void CopyDeviceToDevice(ulong destination, ulong source, long bytes)
    {
        CheckRange(destination, bytes, "copy destination");
        CheckRange(source, bytes, "copy source");
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
    }

    public void Fill32(ulong destination, uint value, long count)
    {
        CheckRange(destination, count * 4, "fill");
        new Span<uint>((void*)destination, checked((int)count)).Fill(value);
    }

    public void Synchronize() => Synchronizations++;

    public void Launch(KernelSpec kernel, Dim3 grid, int blockThreads, int sharedBytes, ReadOnlySpan<KernelArg> arguments)
    {
        kernel.CheckArguments(arguments);
        if (grid.X == 0 || grid.Y is 0 or > 65535 || grid.Z is 0 or > 65535 || grid.X > int.MaxValue) throw new InvalidOperationException($"{kernel}: invalid grid {grid}.");
        if (blockThreads is < 1 or > 1024) throw new InvalidOperationException($"{kernel}: invalid block of {blockThreads} threads.");
        if (sharedBytes > 48 * 1024) throw new InvalidOperationException($"{kernel}: {sharedBytes} bytes of dynamic shared memory need an opt-in.");
        for (int i = 0; i < arguments.Length; i++)
        {
            if (arguments[i].Kind != KernelArgKind.Pointer || arguments[i].Bits == 0) continue;
            CheckRange(arguments[i].Bits, arguments[i].PointerBytes, $"{kernel} argument {i}");
        }
        Launches.Add((kernel, grid, blockThreads, sharedBytes));
        executor?.Invoke(kernel, grid, blockThreads, arguments);
    }

    public void Gemm(in GemmCall call)
    {
        Gemms.Add(call);
        // Column-major extents: A is (TransA ? K×M : M×K) with lda ≥ rows, likewise B; C is M×N.
        CheckOperand(call.A, call.AType, call.TransA ? call.K : call.M, call.TransA ? call.M : call.K, call.Lda, call.StrideA, call.BatchCount, "A");
        CheckOperand(call.B, call.BType, call.TransB ? call.N : call.K, call.TransB ? call.K : call.N, call.Ldb, call.StrideB, call.BatchCount, "B");
        CheckOperand(call.C, CudaDataType.Float32, call.M, call.N, call.Ldc, call.StrideC, call.BatchCount, "C");
        // op(A) as M rows of K and op(B)ᵀ as N rows of K, so every element of C is one contiguous dot product.
        var a = new float[(long)call.M * call.K];
        var b = new float[(long)call.N * call.K];
        for (int batch = 0; batch < call.BatchCount; batch++)
        {
            long aOffset = batch * call.StrideA, bOffset = batch * call.StrideB;
            for (int i = 0; i < call.M; i++)
            {
                for (int p = 0; p < call.K; p++)
                {
                    a[(long)i * call.K + p] = Element(call.A, call.AType, aOffset + (call.TransA ? p + (long)i * call.Lda : i + (long)p * call.Lda));
                }
            }
            for (int j = 0; j < call.N; j++)
            {
                for (int p = 0; p < call.K; p++)
                {
                    b[(long)j * call.K + p] = Element(call.B, call.BType, bOffset + (call.TransB ? j + (long)p * call.Ldb : p + (long)j * call.Ldb));
                }
            }
            float* c = (float*)call.C + batch * call.StrideC;
            for (int j = 0; j < call.N; j++)
            {
                var column = new ReadOnlySpan<float>(b, j * call.K, call.K);
                for (int i = 0; i < call.M; i++)
                {
                    float sum = System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<float>(a, i * call.K, call.K), column);
                    long at = i + (long)j * call.Ldc;
                    c[at] = call.Alpha * sum + (call.Beta == 0 ? 0 : call.Beta * c[at]);
                }
            }
        }
    }

    private static float Element(ulong address, CudaDataType type, long index) =>
        type == CudaDataType.Float32 ? ((float*)address)[index] : BitConverter.UInt32BitsToSingle((uint)((ushort*)address)[index] << 16);

    private void CheckOperand(ulong address, CudaDataType type, int rows, int cols, int ld, long stride, int batches, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < Math.Max(1, rows)) throw new InvalidOperationException($"GEMM operand {name}: leading dimension {ld} < {rows} rows (column-major).");
        int size = type == CudaDataType.Float32 ? 4 : 2;
        long extent = ((long)(cols - 1) * ld + rows + (long)(batches - 1) * stride) * size;
        CheckRange(address, extent, $"GEMM operand {name}");
    }

    /// <summary>Throws unless [address, address + bytes) lies inside one live allocation.</summary>
    public void CheckRange(ulong address, long bytes, string what)
    {
        if (bytes <= 0) return;
        foreach (var (start, length) in _allocations)
        {
            if (address >= start && address + (ulong)bytes <= start + (ulong)length) return;
        }
        throw new InvalidOperationException($"{what}: [0x{address:x}, +{bytes}) is outside every live device allocation.");
    }

    /// <summary>Writes an error record into device memory as a kernel would (tests of the error path).</summary>
    public void Poke(ulong address, ReadOnlySpan<int> values)
    {
        CheckRange(address, values.Length * 4, "poke");
        values.CopyTo(new Span<int>((void*)address, values.Length));
    }

    public void Dispose()
    {
        foreach (var address in _allocations.Keys.ToArray()) Free(address);
    }
}
