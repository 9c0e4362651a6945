using Retain.Kernel.Backends.Cuda;

namespace Retain.Cuda.Tests;

/// <summary>A fact that needs a usable CUDA GPU; elsewhere it is skipped with what <c>retain doctor</c> reports as missing.</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when no GPU is usable.</summary>
    public GpuFactAttribute()
    {
        if (GpuMachine.SkipReason is { } reason) Skip = reason;
    }
}

/// <summary>Whether this machine can run the CUDA backend (decided once per test run).</summary>
public static class GpuMachine
{
    private static readonly Lazy<string?> Reason = new(() =>
    {
        var inspection = CudaInspection.Run();
        return inspection.Usable ? null : "no usable CUDA GPU: " + (inspection.Problems.FirstOrDefault() ?? "the driver reports no GPU");
    });

    /// <summary>Null when a GPU is usable, else why not.</summary>
    public static string? SkipReason => Reason.Value;
}
