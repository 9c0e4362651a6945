namespace Retain.Kernel;

/// <summary>Describes the kernel build (version, available backends) for diagnostics.</summary>
public sealed class KernelInfo
{
    /// <summary>The kernel assembly's informational version.</summary>
    public static string Version => typeof(KernelInfo).Assembly.GetName().Version?.ToString() ?? "";
}
