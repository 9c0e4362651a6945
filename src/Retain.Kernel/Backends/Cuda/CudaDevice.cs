using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

/// <summary>
/// One GPU through the driver API: its primary context (shared with cuBLAS, which uses whatever context is current),
/// one non-blocking stream that every copy, kernel and GEMM is queued on, a cuBLAS handle bound to it, and the kernel
/// modules loaded on first use from <see cref="KernelCache"/>. The context is made current on whichever thread calls.
/// </summary>
internal sealed unsafe class CudaDevice : ICudaDevice
{
    private static long _instances;

    // The device whose context this thread made current last (an instance id, so a re-created device never
    // mistakes a destroyed context for the current one).
    [ThreadStatic]
    private static long _currentOwner;

    private readonly long _id = Interlocked.Increment(ref _instances);

    private readonly CudaDriver _driver;
    private readonly Cublas _cublas;
    private readonly KernelCache _kernels;
    private readonly int _device;
    private readonly nint _context;
    private readonly nint _stream;
    private readonly nint _blas;
    private readonly Dictionary<string, nint> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, nint> _functions = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Opens GPU <paramref name="ordinal"/>; a missing or unusable GPU is a <see cref="CudaUnavailableException"/>.</summary>
    public CudaDevice(CudaLibraries libraries, int ordinal, string? kernelCacheDirectory = null)
    {
        _driver = libraries.Driver;
        _cublas = libraries.Cublas;
        int init = _driver.Init();
        if (init == CudaDriver.ErrorNoDevice)
        {
            throw new CudaUnavailableException($"{_driver.Library.Path} is installed but cuInit reports no CUDA-capable GPU (CUDA_ERROR_NO_DEVICE); check nvidia-smi and CUDA_VISIBLE_DEVICES.");
        }
        if (init == CudaDriver.ErrorStubLibrary)
        {
            throw new CudaUnavailableException($"{_driver.Library.Path} is the CUDA toolkit's stub, not the NVIDIA driver (CUDA_ERROR_STUB_LIBRARY); install the driver or remove the stubs folder from the library path.");
        }
        _driver.Check(init, "cuInit");
        int count = _driver.DeviceCount();
        if (ordinal < 0 || ordinal >= count) throw new CudaUnavailableException($"CUDA device {ordinal} does not exist; this machine has {count} GPU(s).");
        _device = _driver.Device(ordinal);
        Ordinal = ordinal;
        Name = _driver.DeviceName(_device);
        ComputeCapability = _driver.DeviceAttribute(_device, CudaDriver.AttributeComputeCapabilityMajor) * 10 +
                            _driver.DeviceAttribute(_device, CudaDriver.AttributeComputeCapabilityMinor);
        _context = _driver.RetainPrimaryContext(_device);
        MakeCurrent();
        _stream = _driver.CreateStream();
        _blas = _cublas.Create(_stream);
        var compiler = libraries.Nvrtc is null ? null : new NvrtcCompiler(libraries.Nvrtc);
        _kernels = new KernelCache(kernelCacheDirectory ?? KernelCache.DefaultDirectory, compiler);
    }

    /// <summary>The device ordinal.</summary>
    public int Ordinal { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int ComputeCapability { get; }

    /// <summary>Call after changing this thread's current context outside a device (the next call sets it again).</summary>
    public static void ForgetCurrentContext() => _currentOwner = 0;

    private void MakeCurrent()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_currentOwner == _id) return;
        _driver.SetCurrent(_context);
        _currentOwner = _id;
    }

    /// <inheritdoc />
    public int TryAllocate(long bytes, out ulong address)
    {
        MakeCurrent();
        return _driver.TryAllocate(bytes, out address);
    }

    /// <inheritdoc />
    public void Free(ulong address)
    {
        MakeCurrent();
        _driver.Free(address);
    }

    /// <inheritdoc />
    public (long Free, long Total) MemoryInfo()
    {
        MakeCurrent();
        return _driver.MemoryInfo();
    }

    /// <inheritdoc />
    public void CopyHostToDevice(ulong destination, void* source, long bytes)
    {
        if (bytes == 0) return;
        MakeCurrent();
        _driver.CopyHostToDeviceAsync(destination, source, bytes, _stream);
        // The source is pageable managed memory that the caller may reuse as soon as we return.
        _driver.Synchronize(_stream);
    }

    /// <inheritdoc />
    public void CopyDeviceToHost(void* destination, ulong source, long bytes)
    {
        MakeCurrent();
        if (bytes > 0) _driver.CopyDeviceToHostAsync(destination, source, bytes, _stream);
        _driver.Synchronize(_stream);
    }

    /// <inheritdoc />
    public void CopyDeviceToDevice(ulong destination, ulong source, long bytes)
    {
        if (bytes == 0 || destination == source) return;
        MakeCurrent();
        _driver.CopyDeviceToDeviceAsync(destination, source, bytes, _stream);
    }

    /// <inheritdoc />
    public void Fill32(ulong destination, uint value, long count)
    {
        if (count == 0) return;
        MakeCurrent();
        _driver.SetD32Async(destination, value, count, _stream);
    }

    /// <inheritdoc />
    public void Synchronize()
    {
        MakeCurrent();
        _driver.Synchronize(_stream);
    }

    /// <inheritdoc />
    public void Launch(KernelSpec kernel, Dim3 grid, int blockThreads, int sharedBytes, ReadOnlySpan<KernelArg> arguments)
    {
        MakeCurrent();
        nint function = Function(kernel);
        ulong* values = stackalloc ulong[Math.Max(1, arguments.Length)];
        void** pointers = stackalloc void*[Math.Max(1, arguments.Length)];
        for (int i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Bits;
            pointers[i] = &values[i];
        }
        _driver.Launch(function, grid.X, grid.Y, grid.Z, (uint)blockThreads, (uint)sharedBytes, _stream, pointers, kernel.Name);
    }

    /// <inheritdoc />
    public void Gemm(in GemmCall call)
    {
        MakeCurrent();
        _cublas.Gemm(_blas, call);
    }

    private nint Function(KernelSpec kernel)
    {
        if (_functions.TryGetValue(kernel.Name, out var function)) return function;
        function = _driver.Function(Module(kernel.Module), kernel.Name);
        _functions[kernel.Name] = function;
        return function;
    }

    private nint Module(string name)
    {
        if (_modules.TryGetValue(name, out var module)) return module;
        var source = KernelSources.Module(name);
        var image = _kernels.Get(source, ComputeCapability);
        int result = _driver.TryLoadModule(image.Cubin, out module);
        if (result != 0 && image.Origin == KernelImageOrigin.DiskCache)
        {
            // A stale or damaged cache file: compile afresh once.
            _kernels.Invalidate(image);
            image = _kernels.Get(source, ComputeCapability);
            result = _driver.TryLoadModule(image.Cubin, out module);
        }
        _driver.Check(result, $"cuModuleLoadData({name}.cu for sm_{image.Architecture}, {image.Origin})");
        _modules[name] = module;
        return module;
    }

    /// <summary>Frees the stream, cuBLAS handle and modules and releases the primary context.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        MakeCurrent();
        _driver.Synchronize(_stream);
        foreach (var module in _modules.Values) _driver.UnloadModule(module);
        _modules.Clear();
        _functions.Clear();
        _cublas.Destroy(_blas);
        _driver.DestroyStream(_stream);
        _disposed = true;
        _currentOwner = 0;
        _driver.ReleasePrimaryContext(_device);
    }
}
