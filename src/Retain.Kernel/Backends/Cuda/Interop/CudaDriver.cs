using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cuda.Discovery;

namespace Retain.Kernel.Backends.Cuda.Interop;

/// <summary>
/// The driver API calls Retain uses, bound to the symbols <c>libcuda.so.1</c> exports (the <c>_v2</c> names the header
/// macros map to). Every call is checked; a failure is a <see cref="CudaException"/> naming the call.
/// </summary>
internal sealed unsafe class CudaDriver
{
    /// <summary>CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT.</summary>
    public const int AttributeMultiprocessorCount = 16;
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR.</summary>
    public const int AttributeComputeCapabilityMajor = 75;
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR.</summary>
    public const int AttributeComputeCapabilityMinor = 76;
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public const int ErrorOutOfMemory = 2;
    /// <summary>CUDA_ERROR_STUB_LIBRARY.</summary>
    public const int ErrorStubLibrary = 34;
    /// <summary>CUDA_ERROR_NO_DEVICE.</summary>
    public const int ErrorNoDevice = 100;
    /// <summary>CU_STREAM_NON_BLOCKING.</summary>
    public const uint StreamNonBlocking = 1;

    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int> _driverGetVersion;
    private readonly delegate* unmanaged<int*, int> _deviceGetCount;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<byte*, int, int, int> _deviceGetName;
    private readonly delegate* unmanaged<int*, int, int, int> _deviceGetAttribute;
    private readonly delegate* unmanaged<nuint*, int, int> _deviceTotalMem;
    private readonly delegate* unmanaged<nint*, int, int> _primaryCtxRetain;
    private readonly delegate* unmanaged<int, int> _primaryCtxRelease;
    private readonly delegate* unmanaged<nint, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong, void*, nuint, nint, int> _memcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, nint, int> _memcpyDtoHAsync;
    private readonly delegate* unmanaged<ulong, ulong, nuint, nint, int> _memcpyDtoDAsync;
    private readonly delegate* unmanaged<ulong, uint, nuint, nint, int> _memsetD32Async;
    private readonly delegate* unmanaged<nint*, void*, int> _moduleLoadData;
    private readonly delegate* unmanaged<nint, int> _moduleUnload;
    private readonly delegate* unmanaged<nint*, nint, byte*, int> _moduleGetFunction;
    private readonly delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int> _launchKernel;
    private readonly delegate* unmanaged<nint*, uint, int> _streamCreate;
    private readonly delegate* unmanaged<nint, int> _streamDestroy;
    private readonly delegate* unmanaged<nint, int> _streamSynchronize;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorString;

    public CudaDriver(NativeLibraryFile library)
    {
        Library = library;
        _init = (delegate* unmanaged<uint, int>)library.Export("cuInit");
        _driverGetVersion = (delegate* unmanaged<int*, int>)library.Export("cuDriverGetVersion");
        _deviceGetCount = (delegate* unmanaged<int*, int>)library.Export("cuDeviceGetCount");
        _deviceGet = (delegate* unmanaged<int*, int, int>)library.Export("cuDeviceGet");
        _deviceGetName = (delegate* unmanaged<byte*, int, int, int>)library.Export("cuDeviceGetName");
        _deviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)library.Export("cuDeviceGetAttribute");
        _deviceTotalMem = (delegate* unmanaged<nuint*, int, int>)library.Export("cuDeviceTotalMem_v2");
        _primaryCtxRetain = (delegate* unmanaged<nint*, int, int>)library.Export("cuDevicePrimaryCtxRetain");
        _primaryCtxRelease = (delegate* unmanaged<int, int>)library.Export("cuDevicePrimaryCtxRelease_v2");
        _ctxSetCurrent = (delegate* unmanaged<nint, int>)library.Export("cuCtxSetCurrent");
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)library.Export("cuMemAlloc_v2");
        _memFree = (delegate* unmanaged<ulong, int>)library.Export("cuMemFree_v2");
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)library.Export("cuMemGetInfo_v2");
        _memcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, nint, int>)library.Export("cuMemcpyHtoDAsync_v2");
        _memcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, nint, int>)library.Export("cuMemcpyDtoHAsync_v2");
        _memcpyDtoDAsync = (delegate* unmanaged<ulong, ulong, nuint, nint, int>)library.Export("cuMemcpyDtoDAsync_v2");
        _memsetD32Async = (delegate* unmanaged<ulong, uint, nuint, nint, int>)library.Export("cuMemsetD32Async");
        _moduleLoadData = (delegate* unmanaged<nint*, void*, int>)library.Export("cuModuleLoadData");
        _moduleUnload = (delegate* unmanaged<nint, int>)library.Export("cuModuleUnload");
        _moduleGetFunction = (delegate* unmanaged<nint*, nint, byte*, int>)library.Export("cuModuleGetFunction");
        _launchKernel = (delegate* unmanaged<nint, uint, uint, uint, uint, uint, uint, uint, nint, void**, void**, int>)library.Export("cuLaunchKernel");
        _streamCreate = (delegate* unmanaged<nint*, uint, int>)library.Export("cuStreamCreate");
        _streamDestroy = (delegate* unmanaged<nint, int>)library.Export("cuStreamDestroy_v2");
        _streamSynchronize = (delegate* unmanaged<nint, int>)library.Export("cuStreamSynchronize");
        _getErrorString = (delegate* unmanaged<int, byte**, int>)library.Export("cuGetErrorString");
    }

    /// <summary>The loaded <c>libcuda</c>.</summary>
    public NativeLibraryFile Library { get; }

    /// <summary>Throws a <see cref="CudaException"/> for a non-zero result, with the driver's own description.</summary>
    public void Check(int result, string call)
    {
        if (result != 0) throw new CudaException(CudaLibrary.Driver, call, result, Describe(result));
    }

    /// <summary>The driver's description of a result code (cuGetErrorString), or null.</summary>
    public string? Describe(int result)
    {
        byte* text = null;
        return _getErrorString(result, &text) == 0 && text is not null ? Marshal.PtrToStringUTF8((nint)text) : null;
    }

    /// <summary>cuInit(0); returns the raw result so callers can explain "no device" and "stub library".</summary>
    public int Init() => _init(0);

    public int DriverVersion()
    {
        int version;
        Check(_driverGetVersion(&version), "cuDriverGetVersion");
        return version;
    }

    public int DeviceCount()
    {
        int count;
        Check(_deviceGetCount(&count), "cuDeviceGetCount");
        return count;
    }

    public int Device(int ordinal)
    {
        int device;
        Check(_deviceGet(&device, ordinal), "cuDeviceGet");
        return device;
    }

    public string DeviceName(int device)
    {
        byte* name = stackalloc byte[256];
        Check(_deviceGetName(name, 256, device), "cuDeviceGetName");
        return Marshal.PtrToStringUTF8((nint)name) ?? "";
    }

    public int DeviceAttribute(int device, int attribute)
    {
        int value;
        Check(_deviceGetAttribute(&value, attribute, device), "cuDeviceGetAttribute");
        return value;
    }

    public long DeviceTotalMemory(int device)
    {
        nuint bytes;
        Check(_deviceTotalMem(&bytes, device), "cuDeviceTotalMem_v2");
        return (long)bytes;
    }

    public nint RetainPrimaryContext(int device)
    {
        nint context;
        Check(_primaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
        return context;
    }

    public void ReleasePrimaryContext(int device) => Check(_primaryCtxRelease(device), "cuDevicePrimaryCtxRelease_v2");

    public void SetCurrent(nint context) => Check(_ctxSetCurrent(context), "cuCtxSetCurrent");

    /// <summary>cuMemAlloc_v2; returns the raw result so the allocator can react to out-of-memory.</summary>
    public int TryAllocate(long bytes, out ulong address)
    {
        ulong pointer;
        int result = _memAlloc(&pointer, (nuint)bytes);
        address = pointer;
        return result;
    }

    public void Free(ulong address) => Check(_memFree(address), "cuMemFree_v2");

    public (long Free, long Total) MemoryInfo()
    {
        nuint free, total;
        Check(_memGetInfo(&free, &total), "cuMemGetInfo_v2");
        return ((long)free, (long)total);
    }

    public void CopyHostToDeviceAsync(ulong destination, void* source, long bytes, nint stream) =>
        Check(_memcpyHtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyHtoDAsync_v2");

    public void CopyDeviceToHostAsync(void* destination, ulong source, long bytes, nint stream) =>
        Check(_memcpyDtoHAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoHAsync_v2");

    public void CopyDeviceToDeviceAsync(ulong destination, ulong source, long bytes, nint stream) =>
        Check(_memcpyDtoDAsync(destination, source, (nuint)bytes, stream), "cuMemcpyDtoDAsync_v2");

    public void SetD32Async(ulong destination, uint value, long count, nint stream) =>
        Check(_memsetD32Async(destination, value, (nuint)count, stream), "cuMemsetD32Async");

    /// <summary>cuModuleLoadData; returns the raw result so a rejected cached image can be recompiled.</summary>
    public int TryLoadModule(ReadOnlySpan<byte> image, out nint module)
    {
        nint handle;
        int result;
        fixed (byte* data = image) result = _moduleLoadData(&handle, data);
        module = handle;
        return result;
    }

    public void UnloadModule(nint module) => Check(_moduleUnload(module), "cuModuleUnload");

    public nint Function(nint module, string name)
    {
        nint function;
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes) Check(_moduleGetFunction(&function, module, p), $"cuModuleGetFunction({name})");
        return function;
    }

    public void Launch(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint sharedBytes, nint stream, void** arguments, string name) =>
        Check(_launchKernel(function, gridX, gridY, gridZ, blockX, 1, 1, sharedBytes, stream, arguments, null), $"cuLaunchKernel({name})");

    public nint CreateStream()
    {
        nint stream;
        Check(_streamCreate(&stream, StreamNonBlocking), "cuStreamCreate");
        return stream;
    }

    public void DestroyStream(nint stream) => Check(_streamDestroy(stream), "cuStreamDestroy_v2");

    public void Synchronize(nint stream) => Check(_streamSynchronize(stream), "cuStreamSynchronize");
}
