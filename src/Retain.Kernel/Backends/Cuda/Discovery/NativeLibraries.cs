using System.Runtime.InteropServices;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda.Discovery;

/// <summary>A native library loaded by absolute path, with its exports looked up by exported (not header) name.</summary>
internal sealed class NativeLibraryFile(string path, nint handle)
{
    /// <summary>The file loaded.</summary>
    public string Path { get; } = path;

    /// <summary>The loader handle.</summary>
    public nint Handle { get; } = handle;

    /// <summary>An exported function; a missing one is a clear error naming the library and the symbol.</summary>
    public nint Export(string name) => NativeLibrary.TryGetExport(Handle, name, out var address)
        ? address
        : throw new CudaUnavailableException($"{Path} does not export '{name}'; it is too old or not the expected library (Retain needs CUDA 12 or newer).");

    /// <summary>An optional export (null pointer when absent).</summary>
    public nint TryExport(string name) => NativeLibrary.TryGetExport(Handle, name, out var address) ? address : 0;
}

/// <summary>Loads native libraries by absolute path (never through LD_LIBRARY_PATH edits).</summary>
internal static class NativeLibraries
{
    /// <summary>Loads a library file; failure is a <see cref="CudaUnavailableException"/> naming the path and the loader's reason.</summary>
    public static NativeLibraryFile Load(string path)
    {
        try
        {
            return new NativeLibraryFile(path, NativeLibrary.Load(path));
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new CudaUnavailableException($"{path} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads a library by its soname through the system loader's cache (the last resort for the driver, which some
    /// distributions install outside the standard folders); the file actually mapped is read back from /proc/self/maps.
    /// </summary>
    public static NativeLibraryFile? TryLoadBySoname(string soname)
    {
        if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad(soname, out var handle)) return null;
        return new NativeLibraryFile(MappedPath(soname) ?? soname, handle);
    }

    private static string? MappedPath(string soname)
    {
        // The mapped file is the symlink's target (e.g. libcuda.so.580.65.06), so match on the name up to ".so".
        int so = soname.IndexOf(".so", StringComparison.Ordinal);
        string stem = so < 0 ? soname : soname[..(so + 3)];
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && Path.GetFileName(line[slash..]).StartsWith(stem, StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (IOException)
        {
        }
        return null;
    }
}
