namespace Retain.Kernel.Backends.Cuda.Interop;

/// <summary>A CUDA, NVRTC or cuBLAS call returned an error; the message names the call and the result code.</summary>
public class CudaException : Exception
{
    /// <summary>Creates the error of a failed call.</summary>
    public CudaException(CudaLibrary library, string call, int code, string? detail = null)
        : this(Format(library, call, code, detail), library, call, code)
    {
    }

    /// <summary>Creates an error with a custom message.</summary>
    protected CudaException(string message, CudaLibrary library, string call, int code) : base(message)
    {
        Library = library;
        Call = call;
        Code = code;
    }

    /// <summary>The library that failed.</summary>
    public CudaLibrary Library { get; }

    /// <summary>The exported function that failed, e.g. <c>cuMemAlloc_v2</c>.</summary>
    public string Call { get; }

    /// <summary>The result code.</summary>
    public int Code { get; }

    /// <summary>The header name of <see cref="Code"/>.</summary>
    public string CodeName => CudaResultNames.Name(Library, Code);

    private static string Format(CudaLibrary library, string call, int code, string? detail) =>
        $"{call} failed with {CudaResultNames.Name(library, code)} ({code})" + (string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail.Trim());
}

/// <summary>Device memory ran out; the message gives the size asked for and the memory free on the device.</summary>
public sealed class CudaOutOfMemoryException : CudaException
{
    /// <summary>Creates the error.</summary>
    public CudaOutOfMemoryException(string message, long requestedBytes, long freeBytes, long totalBytes)
        : base(message, CudaLibrary.Driver, "cuMemAlloc_v2", 2)
    {
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
        TotalBytes = totalBytes;
    }

    /// <summary>Bytes asked for.</summary>
    public long RequestedBytes { get; }

    /// <summary>Bytes free on the device when the allocation failed.</summary>
    public long FreeBytes { get; }

    /// <summary>Device memory in total.</summary>
    public long TotalBytes { get; }
}

/// <summary>
/// The CUDA backend cannot run on this machine (no driver, no GPU, a library missing or unloadable); the message says
/// what is missing and where Retain looked.
/// </summary>
public sealed class CudaUnavailableException(string message, Exception? inner = null) : NotSupportedException(message, inner);
