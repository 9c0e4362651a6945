using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cuda;

namespace Retain.Cuda.Tests.Backend;

public class BackendFactoryTests
{
    [Theory]
    [InlineData("cpu", "cpu", 0)]
    [InlineData("cuda", "cuda", 0)]
    [InlineData(" CUDA:3 ", "cuda", 3)]
    public void Device_names_parse_to_a_kind_and_ordinal(string device, string kind, int ordinal)
    {
        BackendFactory.Parse(device).ShouldBe((kind, ordinal));
        BackendFactory.IsDevice(device).ShouldBeTrue();
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Other_names_are_rejected_with_the_accepted_ones(string device)
    {
        BackendFactory.IsDevice(device).ShouldBeFalse();
        Should.Throw<ArgumentException>(() => BackendFactory.Parse(device)).Message.ShouldStartWith($"'{device}' is not a device: use cpu, cuda or cuda:N.");
    }

    [Fact]
    public void Cpu_creates_the_cpu_backend_with_its_options()
    {
        using var backend = BackendFactory.Create("cpu", new BackendFactoryOptions { Cpu = new CpuBackendOptions { Threads = 1 } });
        backend.ShouldBeOfType<CpuBackend>().Threads.ShouldBe(1);
    }

    [Theory]
    [InlineData("bf16", CudaMatmulPrecision.Bf16)]
    [InlineData(" TF32", CudaMatmulPrecision.Tf32)]
    [InlineData("fp32", CudaMatmulPrecision.Fp32)]
    public void Matmul_precisions_parse(string text, CudaMatmulPrecision precision) => CudaBackendOptions.ParseMatmul(text, "x").ShouldBe(precision);

    [Fact]
    public void An_unknown_precision_names_its_source()
    {
        Should.Throw<ArgumentException>(() => CudaBackendOptions.ParseMatmul("fp8", "RETAIN_CUDA_MATMUL"))
            .Message.ShouldBe("RETAIN_CUDA_MATMUL: 'fp8' is not a matmul precision; use bf16, tf32 or fp32.");
    }
}
