using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Discovery;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Cuda.Tests.Discovery;

public class LibraryLoadingTests
{
    [Fact]
    public void Loading_a_file_that_is_not_a_shared_library_is_an_error_naming_the_path()
    {
        using var tree = new FakeTree();
        var garbage = tree.File("usr/lib/x86_64-linux-gnu/libcuda.so.1", "this is not an ELF file");

        var error = Should.Throw<CudaUnavailableException>(() => CudaLibraries.LoadDriver(tree.Probe()));

        error.Message.ShouldStartWith(garbage + " could not be loaded: ");
    }

    [Fact]
    public void Doctor_inspection_reports_unloadable_and_missing_libraries_as_problems()
    {
        using var tree = new FakeTree();
        var garbage = tree.File("usr/lib/x86_64-linux-gnu/libcuda.so.1", "garbage");

        var inspection = CudaInspection.Run(tree.Settings);

        inspection.Usable.ShouldBeFalse();
        inspection.Gpus.ShouldBeEmpty();
        inspection.Problems.ShouldContain(p => p.StartsWith(garbage + " could not be loaded", StringComparison.Ordinal));
        inspection.Problems.ShouldContain(p => p.StartsWith("cuBLAS not found (libcublas.so.13|libcublas.so.12)", StringComparison.Ordinal));
        inspection.Problems.ShouldContain(p => p.StartsWith("NVRTC not found (libnvrtc.so.13|libnvrtc.so.12)", StringComparison.Ordinal));
        inspection.Libraries.Single(l => l.Kind == CudaLibraryKind.Driver).Path.ShouldBe(garbage);
    }

    [Fact]
    public void Without_a_driver_the_inspection_says_so_with_the_folders_searched()
    {
        using var tree = new FakeTree();

        var inspection = CudaInspection.Run(tree.Settings);

        // The soname fallback may find a real driver on a GPU machine; the message only applies where there is none.
        if (inspection.DriverCudaVersion is null)
        {
            inspection.Problems[0].ShouldStartWith("no NVIDIA driver (libcuda.so.1 not found); searched: " + tree.At("usr/local/cuda/lib64"));
        }
        inspection.Usable.ShouldBeFalse();
    }

    [Fact]
    public void Creating_the_cuda_backend_here_fails_with_a_clear_message_unless_a_gpu_is_usable()
    {
        if (GpuMachine.SkipReason is null)
        {
            using var backend = BackendFactory.Create("cuda");
            backend.Name.ShouldStartWith("cuda:0 (");
            return;
        }
        var error = Should.Throw<CudaUnavailableException>(() => BackendFactory.Create("cuda"));
        if (!CudaLibrarySearch.Probe()[CudaLibraryKind.Driver].Found && NativeLibraryAbsent("libcuda.so.1"))
        {
            error.Message.ShouldStartWith("no NVIDIA driver (libcuda.so.1 not found); searched: ");
        }
        error.Message.ShouldNotContain("   at ");
    }

    private static bool NativeLibraryAbsent(string soname)
    {
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(soname, out var handle)) return true;
        System.Runtime.InteropServices.NativeLibrary.Free(handle);
        return false;
    }
}
