using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Discovery;

namespace Retain.Cuda.Tests.Cli;

public class DoctorCommandTests
{
    [Fact]
    public void Doctor_reports_the_cpu_backend_and_what_cuda_found_or_misses()
    {
        var (code, output, _) = CliRunner.Run("doctor", "--verbose");

        code.ShouldBe(0);
        output.ShouldContain("cpu: cpu (");
        output.ShouldContain("  OpenBLAS: ");
        output.ShouldContain("  libcuda.so.1|libcuda.so: ");
        output.ShouldContain("  libnvrtc.so.13|libnvrtc.so.12: ");
        output.ShouldContain("  libcublas.so.13|libcublas.so.12: ");
        output.ShouldContain("  kernel cache: ");
        output.ShouldContain("  precompiled kernels: ");
        if (GpuMachine.SkipReason is null)
        {
            output.ShouldContain("cuda: ready");
            output.ShouldContain("GPU 0: ");
        }
        else
        {
            output.ShouldContain("cuda: not available");
            if (!CudaLibrarySearch.Probe()[CudaLibraryKind.Driver].Found && CudaInspection.Run().DriverCudaVersion is null)
            {
                output.ShouldContain("  no NVIDIA driver (libcuda.so.1 not found); searched: /usr/local/cuda/lib64, ");
                output.ShouldContain("  libcuda.so.1|libcuda.so: not found");
            }
        }
    }

    [Fact]
    public void Without_a_driver_doctor_says_so_in_one_line_unless_verbose()
    {
        var (code, output, _) = CliRunner.Run("doctor");

        code.ShouldBe(0);
        output.ShouldContain("cpu: cpu (");
        var driver = CudaLibrarySearch.Probe()[CudaLibraryKind.Driver];
        if (driver.Found || CudaInspection.Run().DriverCudaVersion is not null) return; // a driver: the full report
        output.ShouldContain($"cuda: not available\n  no GPU: no libcuda.so.1 found (searched {driver.Searched.Count} places; --verbose lists them)\n");
        output.ShouldNotContain("libcublas");
    }

    [Fact]
    public void Asking_for_an_unavailable_gpu_exits_1_with_the_reason()
    {
        if (GpuMachine.SkipReason is null) return; // a GPU machine opens it: covered by the GPU tests
        var (code, _, error) = CliRunner.Run("doctor", "--device", "cuda");
        code.ShouldBe(1);
        error.ShouldStartWith("error: cuda is not available: ");
    }

    [Fact]
    public void An_unknown_device_is_a_usage_error()
    {
        var (code, _, error) = CliRunner.Run("doctor", "--device", "tpu");
        code.ShouldBe(2);
        error.Trim().ShouldBe("error: --device: 'tpu' is not a device: use cpu, cuda or cuda:N.");
    }

    [Fact]
    public void Verify_on_the_cpu_compares_every_op_and_passes()
    {
        var (code, output, _) = CliRunner.Run("doctor", "--verify", "--device", "cpu");

        code.ShouldBe(0);
        output.ShouldContain("verify: cpu (2 threads");
        output.ShouldContain("  pass  ");
        output.ShouldContain("AttentionBackward (2×37, 4/2 heads, d 16, saved log-sum-exps): kGrad");
        output.ShouldNotContain("FAIL");
        output.ShouldMatch(@"verify: (\d+) of \1 checks passed");
    }
}
