using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics.Arm;

namespace Retain.Kernel.Backends.Cpu.Gemm.Calibration;

/// <summary>
/// Everything a GEMM calibration depends on, as one string: CPU model, the ISA extensions .NET uses, logical CPUs,
/// backend threads, the OpenBLAS build and core, the .NET runtime and the kernel build. Any change means a new
/// calibration.
/// </summary>
internal static class GemmMachineKey
{
    /// <summary>Bumped when the calibration's classes or method change.</summary>
    // 2: split and one-thread managed candidates; 3: the largest class times 256×2304×768; 4: per layout, contention recorded
    private const int FormatVersion = 4;

    public static string Current(int threads, OpenBlas? openBlas) => string.Join("; ",
        $"format={FormatVersion}",
        $"cpu={CpuModel()}",
        $"isa={string.Join(",", IsaFlags())}",
        $"logical-cpus={Environment.ProcessorCount}",
        $"threads={threads}",
        $"openblas={openBlas?.Version ?? "none"}",
        $"runtime={RuntimeInformation.FrameworkDescription}",
        $"kernel={typeof(GemmMachineKey).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}",
        // A Debug build of the kernel runs the managed GEMM unoptimised: its rates are not a Release build's.
        $"jit-optimized={typeof(GemmMachineKey).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true}");

    private static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Model", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':') + 1)..].Trim();
                    }
                }
            }
        }
        catch (IOException)
        {
            // An unreadable cpuinfo only makes the key less specific.
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static IEnumerable<string> IsaFlags()
    {
        if (Avx.IsSupported) yield return "avx";
        if (Avx2.IsSupported) yield return "avx2";
        if (Fma.IsSupported) yield return "fma";
        if (Avx512F.IsSupported) yield return "avx512f";
        if (Avx512BW.IsSupported) yield return "avx512bw";
        if (Avx512F.VL.IsSupported) yield return "avx512vl";
        if (Avx10v1.IsSupported) yield return "avx10.1";
        if (AdvSimd.IsSupported) yield return "advsimd";
        if (Vector512.IsHardwareAccelerated) yield return "vector512";
        else if (Vector256.IsHardwareAccelerated) yield return "vector256";
    }
}
