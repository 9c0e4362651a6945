using System.Security.Cryptography;
using System.Text;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda.Compilation;

/// <summary>Compiles a kernel module to a CUBIN for one GPU architecture (NVRTC in production, a fake in tests).</summary>
internal interface IKernelCompiler
{
    /// <summary>Identifies the compiler build, e.g. <c>nvrtc 12.8</c> (part of the cache key).</summary>
    string Version { get; }

    /// <summary>Compiles; errors carry the compiler log.</summary>
    byte[] Compile(KernelModuleSource module, IReadOnlyList<string> options);
}

/// <summary>Where a kernel image came from.</summary>
internal enum KernelImageOrigin
{
    /// <summary>A CUBIN nvcc precompiled at build time and embedded in the assembly.</summary>
    Precompiled,
    /// <summary>A CUBIN compiled earlier and found in the disk cache.</summary>
    DiskCache,
    /// <summary>Compiled now (and written to the disk cache).</summary>
    Compiled,
}

/// <summary>A loadable kernel image.</summary>
internal sealed record KernelImage(string Module, int Architecture, byte[] Cubin, KernelImageOrigin Origin, string? CachePath);

/// <summary>
/// Gives the CUBIN of a module for the running GPU: a precompiled one when the build embedded one that runs there
/// (same major architecture, minor not above the GPU's), else a CUBIN from the disk cache, else NVRTC's output, which
/// is then cached. Cache files are keyed by the SHA-256 of the source, headers, architecture, compile options and
/// compiler version, so any change recompiles; they are written atomically.
/// </summary>
internal sealed class KernelCache(string directory, IKernelCompiler? compiler, Func<string, int, byte[]?>? precompiled = null)
{
    /// <summary>The cache folder: <c>$RETAIN_CACHE_DIR/cuda</c>, else <c>~/.cache/retain/cuda</c>.</summary>
    public static string DefaultDirectory =>
        DefaultDirectoryFor(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    /// <summary>The cache folder for an environment and home folder.</summary>
    public static string DefaultDirectoryFor(Func<string, string?> environment, string home) => environment("RETAIN_CACHE_DIR") is { Length: > 0 } root
        ? Path.Combine(Path.GetFullPath(root), "cuda")
        : Path.Combine(home, ".cache", "retain", "cuda");

    private readonly Func<string, int, byte[]?> _precompiled = precompiled ?? KernelSources.Precompiled;

    /// <summary>The cache folder.</summary>
    public string Directory { get; } = directory;

    /// <summary>NVRTC options for an architecture (e.g. 90 → sm_90, a real architecture, so the output is a CUBIN).</summary>
    public static IReadOnlyList<string> CompileOptions(int architecture) => [$"--gpu-architecture=sm_{architecture}", "--std=c++17"];

    /// <summary>The cache key of a module for an architecture under a compiler version.</summary>
    public static string Key(KernelModuleSource module, int architecture, string compilerVersion)
    {
        var text = new StringBuilder("retain-cuda-kernel-v1\n");
        text.Append(compilerVersion).Append('\n').Append(architecture).Append('\n');
        text.AppendJoin(' ', CompileOptions(architecture)).Append('\n');
        text.Append(module.Name).Append('\n').Append(module.Source).Append('\n');
        foreach (var (name, source) in module.Headers.OrderBy(h => h.Key, StringComparer.Ordinal)) text.Append(name).Append('\n').Append(source).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The cache file of a module (null without a compiler: the key needs its version).</summary>
    public string? CachePath(KernelModuleSource module, int architecture) => compiler is null
        ? null
        : Path.Combine(Directory, $"{module.Name}.sm_{architecture}.{Key(module, architecture, compiler.Version)[..32]}.cubin");

    /// <summary>The image of <paramref name="module"/> for a GPU of compute capability <paramref name="architecture"/> (e.g. 86).</summary>
    public KernelImage Get(KernelModuleSource module, int architecture)
    {
        for (int minor = architecture % 10; minor >= 0; minor--)
        {
            int candidate = architecture / 10 * 10 + minor;
            if (_precompiled(module.Name, candidate) is { Length: > 0 } cubin) return new KernelImage(module.Name, candidate, cubin, KernelImageOrigin.Precompiled, null);
        }
        if (compiler is null)
        {
            throw new CudaUnavailableException($"No precompiled CUDA kernels for sm_{architecture} in this build and NVRTC (libnvrtc.so.12/13) was not found, " +
                "so kernel module '" + module.Name + "' cannot be compiled. Install the CUDA toolkit or the nvidia-cuda-nvrtc pip wheel, or set RETAIN_CUDA_LIB_DIR.");
        }
        string path = CachePath(module, architecture)!;
        if (File.Exists(path))
        {
            var cached = File.ReadAllBytes(path);
            if (cached.Length > 0) return new KernelImage(module.Name, architecture, cached, KernelImageOrigin.DiskCache, path);
        }
        var compiled = compiler.Compile(module, CompileOptions(architecture));
        Write(path, compiled);
        return new KernelImage(module.Name, architecture, compiled, KernelImageOrigin.Compiled, path);
    }

    /// <summary>Deletes a cached image the driver rejected, so the next <see cref="Get"/> recompiles it.</summary>
    public void Invalidate(KernelImage image)
    {
        if (image.CachePath is not null && File.Exists(image.CachePath)) File.Delete(image.CachePath);
    }

    private static void Write(string path, byte[] cubin)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string temporary = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
            File.WriteAllBytes(temporary, cubin);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or full cache folder only costs a recompilation next time.
        }
    }
}
