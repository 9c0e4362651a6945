using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;
using Retain.Testing;

namespace Retain.Cuda.Tests.Compilation;

public class KernelCacheTests
{
    /// <summary>A compiler that records its calls and "compiles" to the architecture option plus the source length.</summary>
    private sealed class FakeCompiler(string version = "fake 1.0") : IKernelCompiler
    {
        public List<(string Module, IReadOnlyList<string> Options)> Calls { get; } = [];

        public string Version { get; } = version;

        public byte[] Compile(KernelModuleSource module, IReadOnlyList<string> options)
        {
            Calls.Add((module.Name, options));
            return System.Text.Encoding.UTF8.GetBytes($"{options[0]} {module.Source.Length}");
        }
    }

    private static readonly KernelModuleSource Module = new("rope", "extern \"C\" __global__ void k() {}", new Dictionary<string, string> { ["common.cuh"] = "#pragma once" });

    private static byte[]? NoPrecompiled(string module, int architecture) => null;

    [Fact]
    public void A_miss_compiles_for_the_devices_architecture_and_a_second_cache_hits_the_file()
    {
        using var folder = new TempFolder();
        var compiler = new FakeCompiler();

        var first = new KernelCache(folder.Path, compiler, NoPrecompiled).Get(Module, 86);
        var second = new KernelCache(folder.Path, compiler, NoPrecompiled).Get(Module, 86);

        first.Origin.ShouldBe(KernelImageOrigin.Compiled);
        second.Origin.ShouldBe(KernelImageOrigin.DiskCache);
        second.Cubin.ShouldBe(first.Cubin);
        compiler.Calls.Count.ShouldBe(1);
        compiler.Calls[0].Options.ShouldBe(["--gpu-architecture=sm_86", "--std=c++17"]);
        File.Exists(first.CachePath).ShouldBeTrue();
        Path.GetFileName(first.CachePath!).ShouldStartWith("rope.sm_86.");
        Directory.GetFiles(folder.Path).Length.ShouldBe(1); // no temporary files left behind
    }

    [Fact]
    public void The_key_covers_source_headers_architecture_and_compiler_version()
    {
        string key = KernelCache.Key(Module, 90, "nvrtc 12.8");
        KernelCache.Key(Module, 90, "nvrtc 12.8").ShouldBe(key);
        KernelCache.Key(Module with { Source = Module.Source + " " }, 90, "nvrtc 12.8").ShouldNotBe(key);
        KernelCache.Key(Module with { Headers = new Dictionary<string, string> { ["common.cuh"] = "#pragma once\n" } }, 90, "nvrtc 12.8").ShouldNotBe(key);
        KernelCache.Key(Module, 89, "nvrtc 12.8").ShouldNotBe(key);
        KernelCache.Key(Module, 90, "nvrtc 13.0").ShouldNotBe(key);
        key.Length.ShouldBe(64);
    }

    [Fact]
    public void Changed_sources_or_a_new_compiler_miss_the_cache()
    {
        using var folder = new TempFolder();
        var compiler = new FakeCompiler();
        new KernelCache(folder.Path, compiler, NoPrecompiled).Get(Module, 90);
        new KernelCache(folder.Path, compiler, NoPrecompiled).Get(Module with { Source = Module.Source + "\n// edited" }, 90).Origin.ShouldBe(KernelImageOrigin.Compiled);
        var newCompiler = new FakeCompiler("fake 2.0");
        new KernelCache(folder.Path, newCompiler, NoPrecompiled).Get(Module, 90).Origin.ShouldBe(KernelImageOrigin.Compiled);
        compiler.Calls.Count.ShouldBe(2);
        newCompiler.Calls.Count.ShouldBe(1);
    }

    [Fact]
    public void An_empty_or_invalidated_cache_file_is_recompiled()
    {
        using var folder = new TempFolder();
        var compiler = new FakeCompiler();
        var cache = new KernelCache(folder.Path, compiler, NoPrecompiled);
        var image = cache.Get(Module, 80);
        File.WriteAllBytes(image.CachePath!, []);
        cache.Get(Module, 80).Origin.ShouldBe(KernelImageOrigin.Compiled);
        var cached = cache.Get(Module, 80);
        cached.Origin.ShouldBe(KernelImageOrigin.DiskCache);
        cache.Invalidate(cached);
        File.Exists(cached.CachePath).ShouldBeFalse();
        cache.Get(Module, 80).Origin.ShouldBe(KernelImageOrigin.Compiled);
        compiler.Calls.Count.ShouldBe(3);
    }

    [Theory]
    [InlineData(80, 80)]
    [InlineData(84, 80)]
    [InlineData(86, 86)]
    [InlineData(89, 86)]
    [InlineData(90, 90)]
    public void A_precompiled_cubin_serves_its_major_architecture_from_its_minor_up(int device, int used)
    {
        using var folder = new TempFolder();
        var compiler = new FakeCompiler();
        byte[]? Precompiled(string module, int architecture) => architecture is 80 or 86 or 90 ? [(byte)architecture] : null;

        var image = new KernelCache(folder.Path, compiler, Precompiled).Get(Module, device);

        image.Origin.ShouldBe(KernelImageOrigin.Precompiled);
        image.Architecture.ShouldBe(used);
        image.Cubin.ShouldBe([(byte)used]);
        compiler.Calls.ShouldBeEmpty();
    }

    [Fact]
    public void Architectures_without_a_precompiled_cubin_compile_and_without_nvrtc_fail_clearly()
    {
        using var folder = new TempFolder();
        byte[]? Only80(string module, int architecture) => architecture == 80 ? [1] : null;
        new KernelCache(folder.Path, new FakeCompiler(), Only80).Get(Module, 90).Origin.ShouldBe(KernelImageOrigin.Compiled);
        new KernelCache(folder.Path, new FakeCompiler(), Only80).Get(Module, 75).Origin.ShouldBe(KernelImageOrigin.Compiled);

        var error = Should.Throw<CudaUnavailableException>(() => new KernelCache(folder.Path, null, Only80).Get(Module, 90));
        error.Message.ShouldContain("sm_90");
        error.Message.ShouldContain("NVRTC (libnvrtc.so.12/13) was not found");
        error.Message.ShouldContain("'rope'");
    }

    [Fact]
    public void The_default_folder_follows_retain_cache_dir()
    {
        KernelCache.DefaultDirectoryFor(name => name == "RETAIN_CACHE_DIR" ? "/data/cache" : null, "/home/u").ShouldBe("/data/cache/cuda");
        KernelCache.DefaultDirectoryFor(_ => null, "/home/u").ShouldBe("/home/u/.cache/retain/cuda");
    }

    [Fact]
    public void This_build_embeds_precompiled_cubins_only_when_nvcc_built_them()
    {
        // The CI/dev build has no nvcc, so the assembly carries sources only; a build with nvcc carries every module.
        var architectures = KernelSources.PrecompiledArchitectures();
        foreach (int architecture in architectures)
        {
            KernelSources.ModuleNames.ShouldAllBe(m => KernelSources.Precompiled(m, architecture) != null);
        }
        KernelSources.Precompiled("rope", 12).ShouldBeNull();
    }
}
