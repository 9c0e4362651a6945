using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text.Json.Nodes;
using Retain.Kernel;
using Retain.Kernel.Backends.Cpu;

namespace Retain.Hosting.Performance;

/// <summary>What a benchmark ran on, so numbers from different machines are never compared by accident.</summary>
public static class MachineInfo
{
    /// <summary>The machine block of the JSON report.</summary>
    public static JsonObject Describe(int threads, PyTorchPeer? peer, string? peerMissing) => new()
    {
        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["cpu"] = CpuModel(),
        ["logical_cpus"] = Environment.ProcessorCount,
        ["isa"] = Isa(),
        ["memory_gb"] = MemoryGb(),
        ["os"] = RuntimeInformation.OSDescription,
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["retain"] = KernelInfo.Version,
        ["threads"] = threads,
        ["gemm"] = CpuBackend.OpenBlasPath is { } path
            ? $"managed or OpenBLAS ({path}) per shape class, as calibrated (retain doctor)"
            : "managed (OpenBLAS not found)",
        ["pytorch"] = peer is not null ? $"torch {peer.Version} ({peer.Python})" : $"not run: {peerMissing}",
    };

    /// <summary>The CPU's model name from /proc/cpuinfo, else the architecture.</summary>
    public static string CpuModel()
    {
        const string cpuinfo = "/proc/cpuinfo";
        if (File.Exists(cpuinfo))
        {
            var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The vector instruction sets the JIT can use.</summary>
    public static string Isa()
    {
        var sets = new List<string>();
        if (Avx2.IsSupported) sets.Add("AVX2");
        if (Fma.IsSupported) sets.Add("FMA");
        if (Avx512F.IsSupported) sets.Add("AVX-512F");
        if (System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported) sets.Add("AdvSIMD");
        return sets.Count == 0 ? "scalar/SSE" : string.Join(" ", sets);
    }

    private static double? MemoryGb() =>
        ProcKilobytes("/proc/meminfo", "MemTotal:") is { } kb ? Math.Round(kb / 1024.0 / 1024.0, 1) : null;

    /// <summary>A "Key:  123 kB" line of a /proc file, or null where the file or key is missing (not Linux).</summary>
    public static long? ProcKilobytes(string path, string key)
    {
        if (!File.Exists(path)) return null;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
