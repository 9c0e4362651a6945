using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda.Compilation;

/// <summary>Compiles kernel modules with NVRTC.</summary>
internal sealed class NvrtcCompiler(Nvrtc nvrtc) : IKernelCompiler
{
    private readonly (int Major, int Minor) _version = nvrtc.Version();

    /// <inheritdoc />
    public string Version => $"nvrtc {_version.Major}.{_version.Minor}";

    /// <inheritdoc />
    public byte[] Compile(KernelModuleSource module, IReadOnlyList<string> options) =>
        nvrtc.CompileCubin(module.Name + ".cu", module.Source, module.Headers, options);
}
