using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Backends.Cuda.Discovery;

namespace Retain.Cuda.Tests.Discovery;

public class LibrarySearchTests
{
    [Fact]
    public void Finds_a_toolkit_and_the_driver_in_their_standard_folders_without_loading_them()
    {
        using var tree = new FakeTree();
        var driver = tree.File("usr/lib/x86_64-linux-gnu/libcuda.so.1");
        var nvrtc = tree.File("usr/local/cuda/lib64/libnvrtc.so.12");
        var builtins = tree.File("usr/local/cuda/lib64/libnvrtc-builtins.so.12.4");
        var cublas = tree.File("usr/local/cuda/lib64/libcublas.so.12");
        var lt = tree.File("usr/local/cuda/lib64/libcublasLt.so.12");

        var found = tree.Probe();

        // The files are empty: finding them proves the search never loads anything.
        found[CudaLibraryKind.Driver].Path.ShouldBe(driver);
        found[CudaLibraryKind.Nvrtc].Path.ShouldBe(nvrtc);
        found[CudaLibraryKind.NvrtcBuiltins].Path.ShouldBe(builtins);
        found[CudaLibraryKind.Cublas].Path.ShouldBe(cublas);
        found[CudaLibraryKind.CublasLt].Path.ShouldBe(lt);
    }

    [Fact]
    public void Folders_are_searched_in_the_documented_order()
    {
        using var tree = new FakeTree();
        tree.Set(CudaSearchSettings.LibraryDirectoryVariable, tree.At("override"))
            .Set("CUDA_HOME", tree.At("opt/cuda-home"))
            .Set("LD_LIBRARY_PATH", tree.At("ld-path"))
            .Set("VIRTUAL_ENV", tree.At("venv"));
        tree.File("usr/local/cuda-12.2/lib64/.keep");
        tree.File("usr/local/cuda-12.10/lib64/.keep");
        tree.File("venv/lib/python3.11/site-packages/nvidia/cuda_runtime/lib/.keep");
        tree.File("etc/ld.so.conf.d/nvidia.conf", "# driver\n/opt/nvidia/lib\n");

        var folders = CudaLibrarySearch.Folders(tree.Settings).ToList();

        int Index(string relative) => folders.IndexOf(Path.GetFullPath(tree.At(relative)));
        var expected = new[]
        {
            "override", "opt/cuda-home/lib64", "opt/cuda-home/lib", "opt/cuda-home/targets/x86_64-linux/lib", "ld-path",
            "usr/local/cuda/lib64", "usr/local/cuda-12.10/lib64", "usr/local/cuda-12.2/lib64", "usr/lib/x86_64-linux-gnu",
            "usr/lib/wsl/lib", "usr/local/nvidia/lib64", "opt/nvidia/lib", "venv/lib/python3.11/site-packages/nvidia/cu13/lib",
            "venv/lib/python3.11/site-packages/nvidia/cuda_nvrtc/lib", "venv/lib/python3.11/site-packages/nvidia/cublas/lib",
            "venv/lib/python3.11/site-packages/nvidia/cuda_runtime/lib",
        };
        var indices = expected.Select(Index).ToArray();
        indices.ShouldAllBe(i => i >= 0);
        indices.ShouldBeInOrder(SortDirection.Ascending);
        folders.Distinct().Count().ShouldBe(folders.Count);
    }

    [Fact]
    public void The_first_folder_with_a_library_wins_and_within_a_folder_the_newer_major()
    {
        using var tree = new FakeTree();
        tree.Set("CUDA_HOME", tree.At("cuda"));
        tree.File("usr/local/cuda-13.0/lib64/libnvrtc.so.13");
        var fromHome = tree.File("cuda/lib64/libnvrtc.so.12");
        tree.File("cuda/lib64/libcublas.so.12");
        var newer = tree.File("cuda/lib64/libcublas.so.13");
        tree.File("cuda/lib64/libcublasLt.so.12");
        var lt13 = tree.File("cuda/lib64/libcublasLt.so.13");

        var found = tree.Probe();

        found[CudaLibraryKind.Nvrtc].Path.ShouldBe(fromHome);
        found[CudaLibraryKind.Cublas].Path.ShouldBe(newer);
        found[CudaLibraryKind.CublasLt].Path.ShouldBe(lt13);
    }

    [Fact]
    public void Pip_wheels_of_cuda_12_and_13_are_found_in_virtual_environments_and_user_site_packages()
    {
        using var cuda12 = new FakeTree();
        cuda12.Set("VIRTUAL_ENV", cuda12.At("venv"));
        string site = "venv/lib/python3.12/site-packages/nvidia/";
        var nvrtc = cuda12.File(site + "cuda_nvrtc/lib/libnvrtc.so.12");
        var builtins = cuda12.File(site + "cuda_nvrtc/lib/libnvrtc-builtins.so.12.8");
        var cublas = cuda12.File(site + "cublas/lib/libcublas.so.12");
        var lt = cuda12.File(site + "cublas/lib/libcublasLt.so.12");
        var found = cuda12.Probe();
        found[CudaLibraryKind.Nvrtc].Path.ShouldBe(nvrtc);
        found[CudaLibraryKind.NvrtcBuiltins].Path.ShouldBe(builtins);
        found[CudaLibraryKind.Cublas].Path.ShouldBe(cublas);
        found[CudaLibraryKind.CublasLt].Path.ShouldBe(lt);

        using var cuda13 = new FakeTree();
        string user = "home/user/.local/lib/python3.11/site-packages/nvidia/cu13/lib/";
        var nvrtc13 = cuda13.File(user + "libnvrtc.so.13");
        var builtins13 = cuda13.File(user + "libnvrtc-builtins.so.13.0");
        var cublas13 = cuda13.File(user + "libcublas.so.13");
        var lt13 = cuda13.File(user + "libcublasLt.so.13");
        var found13 = cuda13.Probe();
        found13[CudaLibraryKind.Nvrtc].Path.ShouldBe(nvrtc13);
        found13[CudaLibraryKind.NvrtcBuiltins].Path.ShouldBe(builtins13);
        found13[CudaLibraryKind.Cublas].Path.ShouldBe(cublas13);
        found13[CudaLibraryKind.CublasLt].Path.ShouldBe(lt13);
    }

    [Fact]
    public void Companion_libraries_must_match_the_major_version_and_prefer_the_newest_minor()
    {
        using var tree = new FakeTree();
        tree.File("usr/local/cuda/lib64/libnvrtc.so.12");
        tree.File("usr/local/cuda/lib64/libnvrtc-builtins.so.13.0");
        tree.File("usr/local/cuda/lib64/libnvrtc-builtins.so.12.4");
        var newest = tree.File("usr/local/cuda/lib64/libnvrtc-builtins.so.12.10");
        tree.File("usr/local/cuda/lib64/libcublas.so.12");
        tree.File("usr/local/cuda/lib64/libcublasLt.so.13");
        var elsewhere = tree.File("usr/lib/x86_64-linux-gnu/libcublasLt.so.12");

        var found = tree.Probe();

        found[CudaLibraryKind.NvrtcBuiltins].Path.ShouldBe(newest);
        found[CudaLibraryKind.CublasLt].Path.ShouldBe(elsewhere);
    }

    [Fact]
    public void A_machine_without_the_driver_gets_a_message_naming_every_folder_searched()
    {
        using var tree = new FakeTree();
        tree.Set("CUDA_HOME", tree.At("cuda"));

        var probe = tree.Probe()[CudaLibraryKind.Driver];

        probe.Found.ShouldBeFalse();
        string message = CudaLibraries.NoDriverMessage(probe);
        message.ShouldStartWith("no NVIDIA driver (libcuda.so.1 not found); searched: ");
        message.ShouldContain(tree.At("cuda/lib64"));
        message.ShouldContain(tree.At("usr/lib/x86_64-linux-gnu"));
        message.ShouldContain(tree.At("usr/local/cuda/lib64"));
    }

    [Theory]
    [InlineData("/x/libcublas.so.12", 12)]
    [InlineData("libnvrtc.so.13", 13)]
    [InlineData("libnvrtc-builtins.so.12.4", 12)]
    [InlineData("libcuda.so", 0)]
    public void Major_versions_are_read_from_sonames(string path, int major) => CudaLibrarySearch.Major(path).ShouldBe(major);
}
