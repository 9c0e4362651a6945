using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Tests.Reference;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Ops;

public sealed class LinearAndGemmTests : OpTestBase
{
    public static TheoryData<string, int, int, int, bool, bool> GemmCases()
    {
        var data = new TheoryData<string, int, int, int, bool, bool>();
        foreach (var backend in new[] { "managed-1", "managed-2", "openblas-2" })
        {
            data.Add(backend, 1, 7, 5, false, true);
            data.Add(backend, 3, 50, 33, true, false);
            data.Add(backend, 97, 45, 300, false, false);
            data.Add(backend, 131, 260, 70, true, true);
            data.Add(backend, 200, 17, 513, false, true);
            data.Add(backend, 64, 3100, 20, true, false);
            // More than one A block (MC = 144), k a multiple of the 8 × 8 packing transposes, partial last strips.
            data.Add(backend, 149, 64, 264, false, true);
            data.Add(backend, 150, 35, 256, false, false);
            data.Add(backend, 151, 40, 16, true, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void Gemm_matches_reference_for_every_transpose_and_edge_shape(string backendName, int m, int n, int k, bool ta, bool tb)
    {
        using var b = CreateBackend(backendName);
        var a = Random(m * k, m + n);
        var bm = Random(k * n, k + 1);
        var c0 = Random(m * n, 3);
        var expected = ReferenceOps.Matmul(ta, tb, m, n, k, a, bm);
        using var ab = Up(b, a);
        using var bb = Up(b, bm);
        using var cb = Up(b, c0);
        b.Gemm(ta, tb, m, n, k, 0.5f, ab.View, ta ? m : k, bb.View, tb ? k : n, 2f, cb.View, n);
        RelativeError(Down(b, cb), expected.Select((v, i) => 0.5 * v + 2 * c0[i]).ToArray()).ShouldBeLessThan(1e-5);

        // beta = 0 must ignore whatever C holds, NaN included.
        b.Fill(cb.View, float.NaN);
        b.Gemm(ta, tb, m, n, k, 1f, ab.View, ta ? m : k, bb.View, tb ? k : n, 0f, cb.View, n);
        RelativeError(Down(b, cb), expected).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Managed_gemm_vector512_kernel_matches_reference()
    {
        // Vector512 is emulated where AVX-512 is missing; the kernel must still be right wherever it runs.
        using var b = new CpuBackend(new CpuBackendOptions { Threads = 2, Gemm = GemmProvider.Managed, ManagedGemmVectorWidth = 512 });
        b.GemmName.ShouldBe("managed-vector512");
        int m = 37, n = 70, k = 260;
        var a = Random(m * k, 1);
        var bm = Random(n * k, 2);
        using var ab = Up(b, a);
        using var bb = Up(b, bm);
        using var cb = b.Allocate(m * n);
        b.Gemm(false, true, m, n, k, 1f, ab.View, k, bb.View, k, 0f, cb.View, n);
        RelativeError(Down(b, cb), ReferenceOps.Matmul(false, true, m, n, k, a, bm)).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Gemm_is_reproducible_for_a_thread_count_and_the_managed_gemm_for_any_thread_count()
    {
        int m = 300, n = 200, k = 150;
        var a = ToFloat(Random(m * k, 1));
        var bm = ToFloat(Random(k * n, 2));
        float[] Run(int threads, GemmProvider provider)
        {
            using var b = new CpuBackend(new CpuBackendOptions { Threads = threads, Gemm = provider });
            using var ab = b.Allocate(a.Length);
            using var bb = b.Allocate(bm.Length);
            using var cb = b.Allocate(m * n);
            b.Upload(a, ab.View);
            b.Upload(bm, bb.View);
            b.Gemm(false, false, m, n, k, 1f, ab.View, k, bb.View, n, 0f, cb.View, n);
            var c = new float[m * n];
            b.Download(cb.View, c);
            return c;
        }
        ShouldBeBitwiseEqual(Run(1, GemmProvider.Managed), Run(2, GemmProvider.Managed), "managed");
        if (CpuBackend.OpenBlasPath is null) return;
        // OpenBLAS blocks are sized per thread count; a given thread count always gives the same bits.
        ShouldBeBitwiseEqual(Run(2, GemmProvider.OpenBlas), Run(2, GemmProvider.OpenBlas), "openblas, 2 threads");
        ShouldBeBitwiseEqual(Run(1, GemmProvider.OpenBlas), Run(1, GemmProvider.OpenBlas), "openblas, 1 thread");
    }

    [Fact]
    public void Auto_gemm_is_calibrated_when_the_debian_library_is_installed()
    {
        bool installed = File.Exists("/usr/lib/x86_64-linux-gnu/libopenblas.so.0") || File.Exists("/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0");
        var directory = Directory.CreateTempSubdirectory("retain-gemm-calibration-");
        try
        {
            using var b = new CpuBackend(new CpuBackendOptions { Gemm = GemmProvider.Auto, GemmCalibrationDirectory = directory.FullName });
            if (Environment.GetEnvironmentVariable("RETAIN_GEMM") is { Length: > 0 }) return;
            if (!installed)
            {
                b.GemmName.ShouldContain("managed-");
                // Without OpenBLAS only the split across the workers is calibrated, and on one thread nothing is.
                if (b.Threads == 1) b.GemmCalibration.ShouldBeNull();
                else b.GemmCalibration.ShouldNotBeNull().Routes.ShouldAllBe(c => c.Gflops.Count == 2);
                return;
            }
            CpuBackend.OpenBlasPath.ShouldNotBeNull();
            var calibration = b.GemmCalibration.ShouldNotBeNull();
            calibration.Routes.Count.ShouldBe(GemmShapeClass.RouteCount);
            calibration.MachineKey.ShouldContain("openblas=OpenBLAS");
            foreach (var c in calibration.Routes)
            {
                // OpenBLAS, the managed GEMM split across the workers and (with more than one thread) on one thread.
                c.Gflops.Count.ShouldBe(b.Threads > 1 ? 3 : 2);
                c.Gflops.Keys.ShouldContain("openblas");
                c.Gflops.Values.ShouldAllBe(rate => rate > 0 && double.IsFinite(rate));
                c.Choice.ShouldBe(c.Gflops.MaxBy(pair => pair.Value).Key);
            }
            directory.GetFiles("gemm-calibration-*.json").Length.ShouldBe(1);

            // The calibrated GEMM still computes the product, whichever side this class went to.
            int m = 96, n = 80, k = 72;
            var a = Random(m * k, 5);
            var bm = Random(n * k, 6);
            using var ab = Up(b, a);
            using var bb = Up(b, bm);
            using var cb = b.Allocate(m * n);
            b.Gemm(false, true, m, n, k, 1f, ab.View, k, bb.View, k, 0f, cb.View, n);
            RelativeError(Down(b, cb), ReferenceOps.Matmul(false, true, m, n, k, a, bm)).ShouldBeLessThan(1e-5);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Linear_forward_and_backward_match_reference(string backendName)
    {
        using var b = CreateBackend(backendName);
        int rows = 70, inF = 48, outF = 36;
        var x = Random(rows * inF, 1);
        var w = Random(outF * inF, 2);
        var bias = Random(outF, 3);
        var dy = Random(rows * outF, 4);
        using var xb = Up(b, x);
        using var wb = Up(b, w);
        using var bb = Up(b, bias);
        using var y = b.Allocate(rows * outF);
        b.LinearForward(y.View, xb.View, wb.View, bb.View, rows, inF, outF);
        RelativeError(Down(b, y), ReferenceOps.LinearForward(x, w, bias, rows, inF, outF)).ShouldBeLessThan(1e-5);

        var (dxRef, dwRef, dbRef) = ReferenceOps.LinearBackward(dy, x, w, rows, inF, outF);
        using var dyb = Up(b, dy);
        using var dx = Up(b, Random(rows * inF, 5));
        var dxPrior = ToDouble(Down(b, dx));
        using var dw = Up(b, Random(outF * inF, 6));
        var dwPrior = ToDouble(Down(b, dw));
        using var db = b.Allocate(outF);
        b.LinearBackward(dx.View, dw.View, db.View, dyb.View, xb.View, wb.View, rows, inF, outF, accumulateInput: true);
        RelativeError(Down(b, dx), dxRef.Select((v, i) => v + dxPrior[i]).ToArray()).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, dw), dwRef.Select((v, i) => v + dwPrior[i]).ToArray()).ShouldBeLessThan(1e-5);
        RelativeError(Down(b, db), dbRef).ShouldBeLessThan(1e-5);
        b.LinearBackward(dx.View, BufferView<float>.None, BufferView<float>.None, dyb.View, xb.View, wb.View, rows, inF, outF, accumulateInput: false);
        RelativeError(Down(b, dx), dxRef).ShouldBeLessThan(1e-5);
    }

    [Fact]
    public void Linear_reference_backward_matches_finite_differences()
    {
        int rows = 3, inF = 4, outF = 5;
        var x = Random(rows * inF, 1);
        var w = Random(outF * inF, 2);
        var bias = Random(outF, 3);
        var r = Random(rows * outF, 4);
        var (dx, dw, db) = ReferenceOps.LinearBackward(r, x, w, rows, inF, outF);
        RelativeError(dx, FiniteDifference(v => Dot(ReferenceOps.LinearForward(v, w, bias, rows, inF, outF), r), x)).ShouldBeLessThan(1e-7);
        RelativeError(dw, FiniteDifference(v => Dot(ReferenceOps.LinearForward(x, v, bias, rows, inF, outF), r), w)).ShouldBeLessThan(1e-7);
        RelativeError(db, FiniteDifference(v => Dot(ReferenceOps.LinearForward(x, w, v, rows, inF, outF), r), bias)).ShouldBeLessThan(1e-7);
    }
}
