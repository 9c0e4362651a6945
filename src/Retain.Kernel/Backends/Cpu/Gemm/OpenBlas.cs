using System.Runtime.InteropServices;

namespace Retain.Kernel.Backends.Cpu.Gemm;

/// <summary>
/// <c>cblas_sgemm</c> from OpenBLAS, located with <see cref="NativeLibrary"/> (Debian <c>libopenblas0-pthread</c> and
/// the usual sonames). OpenBLAS is told to use one thread: <see cref="OpenBlasGemm"/> splits each GEMM into independent
/// blocks on the backend's own workers, so OpenBLAS threads never compete with (spinning) backend workers.
/// </summary>
internal sealed unsafe class OpenBlas
{
    private const int RowMajor = 101, NoTrans = 111, Trans = 112;

    /// <summary>Candidate library names and paths, most specific first.</summary>
    public static readonly string[] Candidates =
    [
        "libopenblas.so.0",
        "libopenblas.so",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3",
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/openblas-pthread/libblas.so.3",
        "/usr/lib64/libopenblas.so.0",
        "/usr/local/lib/libopenblas.so",
        "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
        "libopenblas.dll",
    ];

    private static readonly Lazy<OpenBlas?> Shared = new(TryLoadCore);

    private OpenBlas(string path, nint sgemm, string version)
    {
        LibraryPath = path;
        Function = sgemm;
        Version = version;
    }

    /// <summary><c>openblas_get_config()</c> and the core it dispatches to (<c>OpenBLAS 0.3.21 DYNAMIC_ARCH ... (Zen)</c>).</summary>
    public string Version { get; }

    /// <summary>The address of <c>cblas_sgemm</c>.</summary>
    public nint Function { get; }

    /// <summary>The file that was loaded.</summary>
    public string LibraryPath { get; }

    /// <summary>The process-wide instance, or null when no candidate exports <c>cblas_sgemm</c>.</summary>
    public static OpenBlas? TryLoad() => Shared.Value;

    private static OpenBlas? TryLoadCore()
    {
        foreach (var candidate in Candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out var handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "cblas_sgemm", out var sgemm))
            {
                NativeLibrary.Free(handle);
                continue;
            }
            if (NativeLibrary.TryGetExport(handle, "openblas_set_num_threads", out var setThreads))
            {
                ((delegate* unmanaged[Cdecl]<int, void>)setThreads)(1);
            }
            return new OpenBlas(candidate, sgemm, ReadVersion(handle));
        }
        return null;
    }

    private static string ReadVersion(nint handle)
    {
        static string? Call(nint handle, string name) => NativeLibrary.TryGetExport(handle, name, out var function)
            ? Marshal.PtrToStringAnsi(((delegate* unmanaged[Cdecl]<nint>)function)())?.Trim()
            : null;
        var config = Call(handle, "openblas_get_config") ?? "unknown version";
        return Call(handle, "openblas_get_corename") is { Length: > 0 } core ? $"{config} ({core})" : config;
    }

    /// <summary>Calls cblas_sgemm at <paramref name="function"/> (row-major) in the calling thread.</summary>
    public static void Sgemm(nint function, bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc)
    {
        if (m == 0 || n == 0) return;
        var sgemm = (delegate* unmanaged[Cdecl]<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)function;
        sgemm(RowMajor, transposeA ? Trans : NoTrans, transposeB ? Trans : NoTrans, m, n, k, alpha, a, Math.Max(1, lda), b,
            Math.Max(1, ldb), beta, c, Math.Max(1, ldc));
    }
}
