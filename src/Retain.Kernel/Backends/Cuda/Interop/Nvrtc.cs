using System.Runtime.InteropServices;
using System.Text;
using Retain.Kernel.Backends.Cuda.Discovery;

namespace Retain.Kernel.Backends.Cuda.Interop;

/// <summary>
/// The NVRTC calls Retain uses (identical in CUDA 12 and 13). The builtins library NVRTC opens while compiling is
/// loaded by absolute path first, so compilation does not depend on the loader's search path.
/// </summary>
internal sealed unsafe class Nvrtc
{
    private readonly delegate* unmanaged<int*, int*, int> _version;
    private readonly delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int> _createProgram;
    private readonly delegate* unmanaged<nint*, int> _destroyProgram;
    private readonly delegate* unmanaged<nint, int, byte**, int> _compileProgram;
    private readonly delegate* unmanaged<nint, nuint*, int> _getCubinSize;
    private readonly delegate* unmanaged<nint, byte*, int> _getCubin;
    private readonly delegate* unmanaged<nint, nuint*, int> _getProgramLogSize;
    private readonly delegate* unmanaged<nint, byte*, int> _getProgramLog;
    private readonly delegate* unmanaged<int, byte*> _getErrorString;

    public Nvrtc(NativeLibraryFile library, NativeLibraryFile? builtins)
    {
        Library = library;
        Builtins = builtins;
        _version = (delegate* unmanaged<int*, int*, int>)library.Export("nvrtcVersion");
        _createProgram = (delegate* unmanaged<nint*, byte*, byte*, int, byte**, byte**, int>)library.Export("nvrtcCreateProgram");
        _destroyProgram = (delegate* unmanaged<nint*, int>)library.Export("nvrtcDestroyProgram");
        _compileProgram = (delegate* unmanaged<nint, int, byte**, int>)library.Export("nvrtcCompileProgram");
        _getCubinSize = (delegate* unmanaged<nint, nuint*, int>)library.Export("nvrtcGetCUBINSize");
        _getCubin = (delegate* unmanaged<nint, byte*, int>)library.Export("nvrtcGetCUBIN");
        _getProgramLogSize = (delegate* unmanaged<nint, nuint*, int>)library.Export("nvrtcGetProgramLogSize");
        _getProgramLog = (delegate* unmanaged<nint, byte*, int>)library.Export("nvrtcGetProgramLog");
        _getErrorString = (delegate* unmanaged<int, byte*>)library.Export("nvrtcGetErrorString");
    }

    public NativeLibraryFile Library { get; }

    public NativeLibraryFile? Builtins { get; }

    private void Check(int result, string call, string? detail = null)
    {
        if (result == 0) return;
        string? text = Marshal.PtrToStringUTF8((nint)_getErrorString(result));
        throw new CudaException(CudaLibrary.Nvrtc, call, result, detail ?? text);
    }

    /// <summary>(major, minor) of the library.</summary>
    public (int Major, int Minor) Version()
    {
        int major, minor;
        Check(_version(&major, &minor), "nvrtcVersion");
        return (major, minor);
    }

    /// <summary>Compiles one translation unit to a CUBIN; a compile error carries NVRTC's log.</summary>
    public byte[] CompileCubin(string name, string source, IReadOnlyDictionary<string, string> headers, IReadOnlyList<string> options)
    {
        var pinned = new List<GCHandle>();
        byte* Utf8(string text)
        {
            var handle = GCHandle.Alloc(Encoding.UTF8.GetBytes(text + "\0"), GCHandleType.Pinned);
            pinned.Add(handle);
            return (byte*)handle.AddrOfPinnedObject();
        }
        nint program = 0;
        try
        {
            var headerNames = headers.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            byte** headerSources = stackalloc byte*[Math.Max(1, headerNames.Length)];
            byte** includeNames = stackalloc byte*[Math.Max(1, headerNames.Length)];
            for (int i = 0; i < headerNames.Length; i++)
            {
                headerSources[i] = Utf8(headers[headerNames[i]]);
                includeNames[i] = Utf8(headerNames[i]);
            }
            Check(_createProgram(&program, Utf8(source), Utf8(name), headerNames.Length, headerSources, includeNames), "nvrtcCreateProgram");
            byte** optionPointers = stackalloc byte*[Math.Max(1, options.Count)];
            for (int i = 0; i < options.Count; i++) optionPointers[i] = Utf8(options[i]);
            int compiled = _compileProgram(program, options.Count, optionPointers);
            if (compiled != 0)
            {
                Check(compiled, $"nvrtcCompileProgram({name}, {string.Join(' ', options)})", Log(program));
            }
            nuint size;
            Check(_getCubinSize(program, &size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* p = cubin) Check(_getCubin(program, p), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            if (program != 0) _destroyProgram(&program);
            foreach (var handle in pinned) handle.Free();
        }
    }

    private string Log(nint program)
    {
        nuint size;
        if (_getProgramLogSize(program, &size) != 0 || size <= 1) return "";
        var log = new byte[(int)size];
        fixed (byte* p = log)
        {
            if (_getProgramLog(program, p) != 0) return "";
        }
        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }
}
