using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Backends.Cpu.Gemm.Calibration;
using Retain.Kernel.Tests.Reference;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Ops;

/// <summary>The GEMM chooser, its on-disk cache and the RETAIN_GEMM override, with fake implementations and clocks.</summary>
public sealed unsafe class GemmCalibrationTests : OpTestBase
{
    private sealed class FakeGemm(string name) : ICpuGemm
    {
        public string Name => name;
        public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) { }
        public void GemmSequential(bool transposeA, bool transposeB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) { }
        public SequentialGemm Sequential => default;
    }

    /// <summary>"fast" wins classes below 4 and "slow" the others; the winner's first timed sample is a noise spike.</summary>
    private sealed class FakeTimer : IGemmTimer
    {
        public List<(string Name, int Class)> Calls { get; } = [];

        public double SecondsPerRun(ICpuGemm gemm, int m, int n, int k)
        {
            int shapeClass = GemmShapeClass.Of(m, n, k);
            int seen = Calls.Count(c => c == (gemm.Name, shapeClass));
            Calls.Add((gemm.Name, shapeClass));
            double flops = 2.0 * m * n * k;
            bool fastWins = shapeClass < 4;
            double gflops = (gemm.Name == "fast") == fastWins ? 100 : 50;
            double spike = seen == 1 ? 10 : 1; // the first timed run (after warm-up) is ten times slower
            return flops / (gflops * 1e9) * spike;
        }
    }

    [Fact]
    public void Chooser_picks_the_faster_implementation_per_class_from_the_minimum_of_interleaved_rounds()
    {
        var timer = new FakeTimer();
        var calibrator = new GemmCalibrator(timer) { MinRounds = 4, MaxRounds = 4 };
        var calibration = calibrator.Calibrate("key", [new FakeGemm("slow"), new FakeGemm("fast")]);

        calibration.Rounds.ShouldBe(4);
        calibration.Classes.Count.ShouldBe(GemmShapeClass.Count);
        foreach (var c in calibration.Classes)
        {
            c.Choice.ShouldBe(c.ShapeClass < 4 ? "fast" : "slow");
            c.Gflops[c.Choice].ShouldBe(100, 0.01);
            c.Gflops[c.Choice == "fast" ? "slow" : "fast"].ShouldBe(50, 0.01);
        }
        calibration.MaskOf("fast").ShouldBe(0b1111);
        calibration.MaskOf("slow").ShouldBe(((1 << GemmShapeClass.Count) - 1) & ~0b1111);

        // One warm-up round and four timed ones; the order of the two sides alternates between rounds.
        timer.Calls.Count.ShouldBe(5 * GemmShapeClass.Count * 2);
        timer.Calls[0].Name.ShouldBe("slow");
        int perRound = GemmShapeClass.Count * 2;
        timer.Calls[perRound].Name.ShouldBe("slow");
        timer.Calls[2 * perRound].Name.ShouldBe("fast");
    }

    [Fact]
    public void Shape_classes_cover_every_product_and_each_representative_falls_in_its_own_class()
    {
        for (int c = 0; c < GemmShapeClass.Count; c++)
        {
            var (m, n, k) = GemmShapeClass.Representative(c);
            GemmShapeClass.Of(m, n, k).ShouldBe(c, GemmShapeClass.Describe(c));
        }
        GemmShapeClass.Of(1, 50_257, 768).ShouldBe(0);
        GemmShapeClass.Of(256, 50_257, 768).ShouldBe(GemmShapeClass.Count - 1);
    }

    [Fact]
    public void Cache_is_reused_for_the_same_key_and_recalibrated_when_the_key_or_file_changes()
    {
        var directory = Directory.CreateTempSubdirectory("retain-gemm-store-");
        try
        {
            var store = new GemmCalibrationStore(directory.FullName);
            int calibrations = 0;
            GemmCalibration Calibrate(string key)
            {
                calibrations++;
                return new GemmCalibrator(new FakeTimer()) { MinRounds = 2, MaxRounds = 2 }.Calibrate(key, [new FakeGemm("slow"), new FakeGemm("fast")]);
            }

            var first = store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(1);
            File.Exists(store.PathOf("cpu=A; threads=2")).ShouldBeTrue();

            var again = store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(1);
            again.MaskOf("fast").ShouldBe(first.MaskOf("fast"));
            again.Classes.Select(c => c.Gflops["slow"]).ShouldBe(first.Classes.Select(c => c.Gflops["slow"]));

            store.GetOrCalibrate("cpu=A; threads=1", () => Calibrate("cpu=A; threads=1"), useProcessCache: false);
            calibrations.ShouldBe(2);
            store.GetOrCalibrate("cpu=B; threads=2", () => Calibrate("cpu=B; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(3);

            File.WriteAllText(store.PathOf("cpu=A; threads=2"), "{ not json");
            store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(4);

            // A file whose content names another key (a hash collision or a hand edit) is not trusted.
            File.Copy(store.PathOf("cpu=B; threads=2"), store.PathOf("cpu=A; threads=2"), overwrite: true);
            store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false).MachineKey.ShouldBe("cpu=A; threads=2");
            calibrations.ShouldBe(5);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Retain_gemm_override_wins_over_the_calibration()
    {
        CpuBackend.ResolveProvider(GemmProvider.Auto, "managed").ShouldBe(GemmProvider.Managed);
        CpuBackend.ResolveProvider(GemmProvider.Auto, "OpenBLAS").ShouldBe(GemmProvider.OpenBlas);
        CpuBackend.ResolveProvider(GemmProvider.Auto, null).ShouldBe(GemmProvider.Auto);
        CpuBackend.ResolveProvider(GemmProvider.Managed, "openblas").ShouldBe(GemmProvider.Managed);
        Should.Throw<ArgumentException>(() => CpuBackend.ResolveProvider(GemmProvider.Auto, "fastest")).Message.ShouldContain("'fastest'");

        // A forced GEMM neither calibrates nor writes a cache file.
        var directory = Directory.CreateTempSubdirectory("retain-gemm-forced-");
        try
        {
            using var b = new CpuBackend(new CpuBackendOptions { Threads = 1, Gemm = GemmProvider.Managed, GemmCalibrationDirectory = directory.FullName });
            b.GemmCalibration.ShouldBeNull();
            b.GemmName.ShouldStartWith("managed-");
            directory.GetFiles().ShouldBeEmpty();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Calibrated_gemm_routes_each_class_to_its_choice_and_every_route_matches_the_reference()
    {
        var library = OpenBlas.TryLoad();
        using var workers = new CpuWorkers(2);
        var managed = new ManagedGemm(workers, split: ManagedGemm.SplitRule.Always);
        var openBlas = library is null ? null : new OpenBlasGemm(library, workers);
        var single = new SingleThreadGemm(managed);
        // Classes rotate over OpenBLAS (when loadable), the managed GEMM split across the workers, and on one thread.
        string[] rotation = openBlas is null ? [managed.Name, single.Name] : [openBlas.Name, managed.Name, single.Name];
        var classes = Enumerable.Range(0, GemmShapeClass.Count).Select(c => new GemmClassMeasurement(c, GemmShapeClass.Describe(c), "",
            rotation[c % rotation.Length], new Dictionary<string, double>())).ToList();
        var gemm = new CalibratedGemm(managed, openBlas, library, new GemmCalibration("k", DateTimeOffset.UnixEpoch, 1, classes));
        gemm.Name.ShouldBe($"calibrated {string.Join("+", rotation)}");
        foreach (var (m, n, k) in new[] { (3, 40, 50), (20, 30, 40), (70, 60, 90), (130, 100, 140), (256, 64, 64), (256, 300, 64) })
        {
            gemm.RouteOf(m, n, k).ShouldBe(rotation[GemmShapeClass.Of(m, n, k) % rotation.Length]);
            var a = Random(m * k, m);
            var bm = Random(n * k, n);
            var expected = ReferenceOps.Matmul(false, true, m, n, k, a, bm);
            var af = Reference.Numerics.ToFloat(a);
            var bf = Reference.Numerics.ToFloat(bm);
            var parallel = new float[m * n];
            var sequential = new float[m * n];
            fixed (float* pa = af, pb = bf, pc = parallel, ps = sequential)
            {
                gemm.Gemm(false, true, m, n, k, 1f, pa, k, pb, k, 0f, pc, n);
                gemm.Sequential.Gemm(false, true, m, n, k, 1f, pa, k, pb, k, 0f, ps, n);
            }
            RelativeError(parallel, expected).ShouldBeLessThan(1e-5, $"{m}x{n}x{k}");
            RelativeError(sequential, expected).ShouldBeLessThan(1e-5, $"{m}x{n}x{k} sequential");
        }
    }

    [Fact]
    public void Managed_gemm_split_on_every_product_gives_the_same_bits_as_on_one_thread()
    {
        using var workers = new CpuWorkers(2);
        var split = new ManagedGemm(workers, split: ManagedGemm.SplitRule.Always);
        foreach (var (m, n, k) in new[] { (7, 5, 9), (64, 64, 64), (300, 70, 33) })
        {
            var af = Reference.Numerics.ToFloat(Random(m * k, 1));
            var bf = Reference.Numerics.ToFloat(Random(n * k, 2));
            var onWorkers = new float[m * n];
            var onOne = new float[m * n];
            fixed (float* pa = af, pb = bf, pc = onWorkers, ps = onOne)
            {
                split.Gemm(false, true, m, n, k, 1f, pa, k, pb, k, 0f, pc, n);
                new SingleThreadGemm(split).Gemm(false, true, m, n, k, 1f, pa, k, pb, k, 0f, ps, n);
            }
            ShouldBeBitwiseEqual(onWorkers, onOne, $"{m}x{n}x{k}");
        }
    }
}
