using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Kernel.Backends.Cuda.Memory;

namespace Retain.Kernel.Backends.Cuda;

/// <summary>
/// The CUDA backend: every <see cref="IBackend"/> op on one NVIDIA GPU, with the CPU backend's semantics. Buffers are
/// fp32 device memory (so parameters are fp32 master weights and AdamW states are fp32); GEMMs run in cuBLAS with the
/// configured <see cref="CudaMatmulPrecision"/> (bf16 operands and fp32 accumulation by default); all other ops are
/// own kernels compiled by NVRTC for the running GPU (or precompiled by nvcc at build time). Work is queued on one
/// stream; Download, SumOfSquares and Synchronize wait for it, and index errors kernels detect (an id outside the
/// vocabulary, ...) surface there as the same exceptions the CPU backend throws up front. Not thread-safe: one
/// caller at a time (from any thread).
/// </summary>
public sealed unsafe partial class CudaBackend : IBackend
{
    private const uint MaxGridX = 1u << 20;

    private readonly ICudaDevice _device;
    private readonly CachingAllocator _allocator;
    private readonly DeviceScratch _castA, _castB, _attention, _recomputed, _partials, _reduction;
    private readonly ulong _errorWord;
    private bool _disposed;

    /// <summary>Opens a GPU; throws <see cref="CudaUnavailableException"/> saying what is missing when CUDA cannot run here.</summary>
    public static CudaBackend Create(CudaBackendOptions? options = null)
    {
        options ??= new CudaBackendOptions();
        var device = new CudaDevice(CudaLibraries.Shared(), options.Device, options.KernelCacheDirectory);
        try
        {
            return new CudaBackend(device, options);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    internal CudaBackend(ICudaDevice device, CudaBackendOptions options)
    {
        _device = device;
        Matmul = options.Matmul;
        _allocator = new CachingAllocator(device, options.PoisonAllocations);
        _castA = new DeviceScratch(_allocator);
        _castB = new DeviceScratch(_allocator);
        _attention = new DeviceScratch(_allocator);
        _recomputed = new DeviceScratch(_allocator);
        _partials = new DeviceScratch(_allocator);
        _reduction = new DeviceScratch(_allocator);
        _errorWord = _allocator.Allocate(DeviceErrors.WordLength * sizeof(int));
        _device.Fill32(_errorWord, 0, DeviceErrors.WordLength);
        Name = $"cuda:{options.Device} ({device.Name}, sm_{device.ComputeCapability}, {Matmul.ToString().ToLowerInvariant()} matmul)";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The GEMM precision.</summary>
    public CudaMatmulPrecision Matmul { get; }

    /// <summary>The GPU's name.</summary>
    public string DeviceName => _device.Name;

    /// <summary>Compute capability as major·10 + minor.</summary>
    public int ComputeCapability => _device.ComputeCapability;

    /// <summary>Device memory Retain holds (in use or cached).</summary>
    public long HeldBytes => _allocator.HeldBytes;

    /// <summary>Peak device memory held (bytes).</summary>
    public long PeakHeldBytes => _allocator.PeakHeldBytes;

    // ---- views, launches, errors ----

    private DevicePointer F(BufferView<float> view, long needed, string name) => Resolve(view, needed, name, sizeof(float));

    private DevicePointer Optional(BufferView<float> view, long needed, string name) => view.IsNone ? DevicePointer.Null : F(view, needed, name);

    private DevicePointer I(BufferView<int> view, long needed, string name) => Resolve(view, needed, name, sizeof(int));

    private DevicePointer Resolve<T>(BufferView<T> view, long needed, string name, int elementSize) where T : unmanaged
    {
        if (view.Buffer is not CudaBuffer<T> buffer || !ReferenceEquals(buffer.Backend, this))
        {
            throw new ArgumentException(view.IsNone ? $"Argument '{name}' is required." : $"Argument '{name}' is not a buffer of this CUDA backend.", name);
        }
        if (needed > view.Length) throw new ArgumentException($"Argument '{name}' has {view.Length} elements; the op needs {needed}.", name);
        return new DevicePointer(buffer.Address + (ulong)(view.Offset * elementSize), needed * elementSize);
    }

    private DevicePointer ErrorWord => new(_errorWord, DeviceErrors.WordLength * sizeof(int));

    /// <summary>The device address of the index-error word kernels write (tests poke it).</summary>
    internal ulong ErrorWordAddress => _errorWord;

    /// <summary>Blocks covering <paramref name="count"/> elements for a grid-stride kernel.</summary>
    private static Dim3 Elements(long count) => new((uint)Math.Min((count + CudaKernels.Block - 1) / CudaKernels.Block, MaxGridX));

    private static uint Blocks(long count) => (uint)((count + CudaKernels.Block - 1) / CudaKernels.Block);

    private void Launch(KernelSpec kernel, Dim3 grid, int sharedBytes, params ReadOnlySpan<KernelArg> arguments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        kernel.CheckArguments(arguments);
        if (grid.IsEmpty) return;
        _device.Launch(kernel, grid, CudaKernels.Block, sharedBytes, arguments);
    }

    /// <summary>Raises the first index error a kernel recorded (the stream must have drained).</summary>
    private void CheckDeviceErrors()
    {
        int* word = stackalloc int[DeviceErrors.WordLength];
        _device.CopyDeviceToHost(word, _errorWord, DeviceErrors.WordLength * sizeof(int));
        var error = DeviceErrors.ToException(new ReadOnlySpan<int>(word, DeviceErrors.WordLength));
        if (error is null) return;
        _device.Fill32(_errorWord, 0, DeviceErrors.WordLength);
        throw error;
    }

    // ---- memory ----

    /// <inheritdoc />
    public DeviceBuffer<float> Allocate(long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var buffer = new CudaBuffer<float>(this, _allocator, length);
        _device.Fill32(buffer.Address, 0, length);
        return buffer;
    }

    /// <inheritdoc />
    public DeviceBuffer<int> AllocateInt(long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var buffer = new CudaBuffer<int>(this, _allocator, length);
        _device.Fill32(buffer.Address, 0, length);
        return buffer;
    }

    private static void CheckSameLength(long a, long b)
    {
        if (a != b) throw new ArgumentException($"Length mismatch: {a} host elements, {b} device elements.");
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<float> source, BufferView<float> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        var target = F(destination, source.Length, nameof(destination));
        fixed (float* host = source) _device.CopyHostToDevice(target.Address, host, target.Bytes);
    }

    /// <inheritdoc />
    public void Upload(ReadOnlySpan<int> source, BufferView<int> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        var target = I(destination, source.Length, nameof(destination));
        fixed (int* host = source) _device.CopyHostToDevice(target.Address, host, target.Bytes);
    }

    /// <inheritdoc />
    public void Download(BufferView<float> source, Span<float> destination)
    {
        CheckSameLength(destination.Length, source.Length);
        var from = F(source, destination.Length, nameof(source));
        fixed (float* host = destination) _device.CopyDeviceToHost(host, from.Address, from.Bytes);
        CheckDeviceErrors();
    }

    /// <inheritdoc />
    public void Download(BufferView<int> source, Span<int> destination)
    {
        CheckSameLength(destination.Length, source.Length);
        var from = I(source, destination.Length, nameof(source));
        fixed (int* host = destination) _device.CopyDeviceToHost(host, from.Address, from.Bytes);
        CheckDeviceErrors();
    }

    /// <inheritdoc />
    public void Copy(BufferView<float> source, BufferView<float> destination)
    {
        CheckSameLength(source.Length, destination.Length);
        var to = F(destination, source.Length, nameof(destination));
        var from = F(source, source.Length, nameof(source));
        _device.CopyDeviceToDevice(to.Address, from.Address, from.Bytes);
    }

    /// <inheritdoc />
    public void Fill(BufferView<float> destination, float value)
    {
        var target = F(destination, destination.Length, nameof(destination));
        _device.Fill32(target.Address, BitConverter.SingleToUInt32Bits(value), destination.Length);
    }

    /// <inheritdoc />
    public void Synchronize()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Synchronize();
        CheckDeviceErrors();
    }

    /// <summary>Waits for queued work, then frees every buffer the backend still caches and the device context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            _device.Synchronize();
        }
        finally
        {
            _castA.Dispose();
            _castB.Dispose();
            _attention.Dispose();
            _recomputed.Dispose();
            _partials.Dispose();
            _reduction.Dispose();
            _allocator.Return(_errorWord, DeviceErrors.WordLength * sizeof(int));
            _allocator.Dispose();
            _disposed = true;
            _device.Dispose();
        }
    }
}
