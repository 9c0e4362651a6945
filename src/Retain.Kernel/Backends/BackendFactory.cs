using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cuda;

namespace Retain.Kernel.Backends;

/// <summary>Options <see cref="BackendFactory"/> passes on to the backend it creates.</summary>
public sealed record BackendFactoryOptions
{
    /// <summary>CPU backend options (threads, GEMM).</summary>
    public CpuBackendOptions? Cpu { get; init; }

    /// <summary>
    /// CUDA GEMM precision; null = <c>RETAIN_CUDA_MATMUL</c> when set, else <see cref="CudaMatmulPrecision.Bf16"/>.
    /// </summary>
    public CudaMatmulPrecision? CudaMatmul { get; init; }

    /// <summary>Where compiled CUDA kernels are cached; null = the default cache folder.</summary>
    public string? KernelCacheDirectory { get; init; }
}

/// <summary>
/// Creates the backend a device name selects: <c>cpu</c>, <c>cuda</c> (GPU 0) or <c>cuda:N</c> — what <c>--device</c>
/// and the run config's <c>device</c> accept. An unavailable GPU is a <see cref="Cuda.Interop.CudaUnavailableException"/>
/// saying what is missing; an unknown name an <see cref="ArgumentException"/>.
/// </summary>
public static class BackendFactory
{
    /// <summary>The device names accepted, for help texts.</summary>
    public const string DeviceHelp = "cpu, cuda or cuda:N";

    /// <summary>Creates the backend for <paramref name="device"/>.</summary>
    public static IBackend Create(string device, BackendFactoryOptions? options = null)
    {
        options ??= new BackendFactoryOptions();
        var (kind, ordinal) = Parse(device);
        if (kind == "cpu") return new CpuBackend(options.Cpu);
        return CudaBackend.Create(new CudaBackendOptions
        {
            Device = ordinal,
            Matmul = options.CudaMatmul ?? MatmulFromEnvironment(),
            KernelCacheDirectory = options.KernelCacheDirectory,
        });
    }

    /// <summary>Splits a device name into its kind (<c>cpu</c> or <c>cuda</c>) and GPU ordinal.</summary>
    public static (string Kind, int Ordinal) Parse(string device) =>
        TryParse(device, out var kind, out int ordinal) ? (kind, ordinal) : throw new ArgumentException($"'{device}' is not a device: use {DeviceHelp}.", nameof(device));

    /// <summary>Whether <paramref name="device"/> names a device (whether or not this machine has it).</summary>
    public static bool IsDevice(string? device) => TryParse(device, out _, out _);

    private static bool TryParse(string? device, out string kind, out int ordinal)
    {
        string text = (device ?? "").Trim().ToLowerInvariant();
        kind = text.StartsWith("cuda", StringComparison.Ordinal) ? "cuda" : "cpu";
        ordinal = 0;
        if (text is "cpu" or "cuda") return true;
        return text.StartsWith("cuda:", StringComparison.Ordinal) &&
               int.TryParse(text[5..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ordinal);
    }

    /// <summary>The precision <c>RETAIN_CUDA_MATMUL</c> asks for, else bf16.</summary>
    public static CudaMatmulPrecision MatmulFromEnvironment() =>
        Environment.GetEnvironmentVariable(CudaBackendOptions.MatmulVariable) is { Length: > 0 } text
            ? CudaBackendOptions.ParseMatmul(text, CudaBackendOptions.MatmulVariable)
            : CudaMatmulPrecision.Bf16;
}
