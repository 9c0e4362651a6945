using System.Reflection;

namespace Retain.Kernel.Backends.Cuda.Compilation;

/// <summary>One .cu file and the headers it may include, as NVRTC compiles it.</summary>
/// <param name="Name">The file name without extension (the module name).</param>
/// <param name="Source">The .cu text.</param>
/// <param name="Headers">Include name → text of every embedded .cuh.</param>
internal sealed record KernelModuleSource(string Name, string Source, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// The kernel sources embedded in the kernel assembly (<c>Backends/Cuda/Kernels/*.cu</c> and <c>*.cuh</c>) and the
/// CUBINs an nvcc-equipped build precompiled from them (<c>build/Retain.Cuda.targets</c>).
/// </summary>
internal static class KernelSources
{
    /// <summary>Resource name prefix of the sources.</summary>
    public const string SourcePrefix = "Retain.Kernel.Cuda.Kernels.";

    /// <summary>Resource name prefix of precompiled CUBINs: <c>&lt;prefix&gt;&lt;module&gt;.sm_XY.cubin</c>.</summary>
    public const string CubinPrefix = "Retain.Kernel.Cuda.Cubins.";

    private static readonly Assembly Assembly = typeof(KernelSources).Assembly;
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Headers = new(() => ReadAll(".cuh"));
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Sources = new(() => ReadAll(".cu"));

    /// <summary>Module names (the .cu files), sorted.</summary>
    public static IReadOnlyList<string> ModuleNames => Sources.Value.Keys.Select(k => k[..^3]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A module with the headers.</summary>
    public static KernelModuleSource Module(string name) =>
        Sources.Value.TryGetValue(name + ".cu", out var source)
            ? new KernelModuleSource(name, source, Headers.Value)
            : throw new InvalidOperationException($"No embedded CUDA source '{name}.cu' in {Assembly.GetName().Name}; the build did not embed Backends/Cuda/Kernels.");

    /// <summary>The precompiled CUBIN of a module for sm_&lt;<paramref name="architecture"/>&gt;, or null.</summary>
    public static byte[]? Precompiled(string module, int architecture)
    {
        using var stream = Assembly.GetManifestResourceStream($"{CubinPrefix}{module}.sm_{architecture}.cubin");
        if (stream is null) return null;
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The architectures (e.g. 80, 90) with precompiled CUBINs for every module.</summary>
    public static IReadOnlyList<int> PrecompiledArchitectures()
    {
        var perModule = Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(CubinPrefix, StringComparison.Ordinal) && n.EndsWith(".cubin", StringComparison.Ordinal))
            .Select(n => n[CubinPrefix.Length..^".cubin".Length])
            .Select(n => (Module: n[..n.LastIndexOf('.')], Arch: n[(n.LastIndexOf('.') + 1)..]))
            .Where(x => x.Arch.StartsWith("sm_", StringComparison.Ordinal) && int.TryParse(x.Arch[3..], out _))
            .GroupBy(x => int.Parse(x.Arch[3..], System.Globalization.CultureInfo.InvariantCulture));
        var modules = ModuleNames;
        return perModule.Where(g => modules.All(m => g.Any(x => x.Module == m))).Select(g => g.Key).Order().ToArray();
    }

    private static Dictionary<string, string> ReadAll(string extension)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(SourcePrefix, StringComparison.Ordinal) || !name.EndsWith(extension, StringComparison.Ordinal)) continue;
            using var stream = Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            result[name[SourcePrefix.Length..]] = reader.ReadToEnd();
        }
        return result;
    }
}
