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

    /// <summary>
    /// "fast" wins the A·Bᵀ and A·B routes of classes below 4 and the Aᵀ·B routes of the others, "slow" the rest; the
    /// winner's first timed sample is a noise spike.
    /// </summary>
    private sealed class FakeTimer : IGemmTimer
    {
        public List<(string Name, int Route)> Calls { get; } = [];

        public static bool FastWins(int route) => (GemmShapeClass.ClassOfRoute(route) < 4) != (route % GemmShapeClass.Layouts == 2);

        public double SecondsPerRun(ICpuGemm gemm, bool transposeA, bool transposeB, int m, int n, int k)
        {
            int route = GemmShapeClass.RouteOf(transposeA, transposeB, m, n, k);
            int seen = Calls.Count(c => c == (gemm.Name, route));
            Calls.Add((gemm.Name, route));
            double flops = 2.0 * m * n * k;
            bool fastWins = FastWins(route);
            double gflops = (gemm.Name == "fast") == fastWins ? 100 : 50;
            double spike = seen == 1 ? 10 : 1; // the first timed run (after warm-up) is ten times slower
            return flops / (gflops * 1e9) * spike;
        }
    }

    [Fact]
    public void Chooser_picks_the_faster_implementation_per_class_from_the_minimum_of_interleaved_rounds()
    {
        var timer = new FakeTimer();
        var calibrator = new GemmCalibrator(timer) { MinRounds = 4, MaxRounds = 4, Contention = Quiet };
        var calibration = calibrator.Calibrate("key", [new FakeGemm("slow"), new FakeGemm("fast")]);

        calibration.Rounds.ShouldBe(4);
        calibration.Routes.Count.ShouldBe(GemmShapeClass.RouteCount);
        int fastMask = 0;
        foreach (var c in calibration.Routes)
        {
            c.Choice.ShouldBe(FakeTimer.FastWins(c.Route) ? "fast" : "slow");
            c.Layout.ShouldBe(GemmShapeClass.DescribeLayout(c.Route));
            c.Gflops[c.Choice].ShouldBe(100, 0.01);
            c.Gflops[c.Choice == "fast" ? "slow" : "fast"].ShouldBe(50, 0.01);
            if (FakeTimer.FastWins(c.Route)) fastMask |= 1 << c.Route;
        }
        calibration.MaskOf("fast").ShouldBe(fastMask);
        calibration.MaskOf("slow").ShouldBe(((1 << GemmShapeClass.RouteCount) - 1) & ~fastMask);
        calibration.OtherCpus.ShouldBe(0);
        calibration.Provisional.ShouldBeFalse();

        // One warm-up round and four timed ones; the order of the two sides alternates between rounds.
        timer.Calls.Count.ShouldBe(5 * GemmShapeClass.RouteCount * 2);
        timer.Calls[0].Name.ShouldBe("slow");
        int perRound = GemmShapeClass.RouteCount * 2;
        timer.Calls[perRound].Name.ShouldBe("slow");
        timer.Calls[2 * perRound].Name.ShouldBe("fast");
    }

    private static Func<double?> Quiet() => () => 0;

    /// <summary>A contention probe that reports the given loads, one per calibration attempt.</summary>
    private static Func<Func<double?>> Loads(params double[] loads)
    {
        int attempt = 0;
        return () =>
        {
            double load = loads[attempt++];
            return () => load;
        };
    }

    [Fact]
    public void A_calibration_taken_under_load_is_retried_and_the_quietest_attempt_kept()
    {
        GemmCalibration Run(int attempts, params double[] loads) =>
            new GemmCalibrator(new FakeTimer()) { MinRounds = 1, MaxRounds = 1, Attempts = attempts, Contention = Loads(loads) }
                .Calibrate("key", [new FakeGemm("slow"), new FakeGemm("fast")]);

        // Quiet at once: one attempt.
        Run(2, 0.1).OtherCpus.ShouldBe(0.1);
        // Busy, then quiet: the second attempt is kept and is final.
        var retried = Run(2, 1.3, 0.05);
        retried.OtherCpus.ShouldBe(0.05);
        retried.Provisional.ShouldBeFalse();
        // Busy twice: the quieter is kept, and marked provisional.
        var busy = Run(2, 0.6, 1.1);
        busy.OtherCpus.ShouldBe(0.6);
        busy.Provisional.ShouldBeTrue();
        (0.6 > GemmCalibration.QuietLimit).ShouldBeTrue();
    }

    [Fact]
    public void A_provisional_calibration_is_written_but_the_next_process_calibrates_again()
    {
        var directory = Directory.CreateTempSubdirectory("retain-gemm-provisional-");
        try
        {
            var store = new GemmCalibrationStore(directory.FullName);
            int calibrations = 0;
            GemmCalibration Calibrate(params double[] loads)
            {
                calibrations++;
                return new GemmCalibrator(new FakeTimer()) { MinRounds = 1, MaxRounds = 1, Attempts = 1, Contention = Loads(loads) }
                    .Calibrate("k", [new FakeGemm("slow"), new FakeGemm("fast")]);
            }

            store.GetOrCalibrate("k", () => Calibrate(0.9), useProcessCache: false).Provisional.ShouldBeTrue();
            File.Exists(store.PathOf("k")).ShouldBeTrue();
            store.GetOrCalibrate("k", () => Calibrate(0.1), useProcessCache: false).Provisional.ShouldBeFalse();
            calibrations.ShouldBe(2);
            // Once a quiet calibration is on disk it is reused.
            store.GetOrCalibrate("k", () => Calibrate(0.1), useProcessCache: false).OtherCpus.ShouldBe(0.1);
            calibrations.ShouldBe(2);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Contention_is_other_processes_busy_ticks_per_second_from_proc_stat()
    {
        // /proc/stat: cpu user nice system idle iowait irq softirq steal guest guest_nice (USER_HZ ticks).
        const string stat = "cpu  1000 20 300 90000 50 7 3 40 0 0\ncpu0 500 10 150 45000 25 3 2 20 0 0\nintr 1 2 3\n";
        CpuContention.ParseMachineBusy(stat).ShouldBe(1000 + 20 + 300 + 7 + 3 + 40);
        CpuContention.ParseMachineBusy("intr 1 2\n").ShouldBeNull();
        CpuContention.ParseMachineBusy("cpu  1 2 x 4 5 6 7 8\n").ShouldBeNull();
        // /proc/self/stat: the name may hold spaces and parentheses; utime and stime are fields 14 and 15.
        const string self = "4242 (dotnet (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 321 79 0 0 20 0 12 0 1234 5678 910";
        CpuContention.ParseOwn(self).ShouldBe(321 + 79);
        CpuContention.ParseOwn("4242 (dotnet) S 1").ShouldBeNull();
        // 2 s in which the machine was busy 330 ticks and this process 130: others used 1.0 CPU.
        CpuContention.OtherCpus(330, 130, 2.0, 100).ShouldBe(1.0, 1e-12);
        CpuContention.OtherCpus(100, 130, 2.0, 100).ShouldBe(0);
        if (File.Exists("/proc/stat"))
        {
            var interval = CpuContention.Start().ShouldNotBeNull();
            Thread.Sleep(50);
            interval.OtherCpus().ShouldNotBeNull().ShouldBeGreaterThanOrEqualTo(0);
        }
    }

    [Fact]
    public void Shape_classes_cover_every_product_and_each_representative_falls_in_its_own_route()
    {
        for (int c = 0; c < GemmShapeClass.Count; c++)
        {
            var (m, n, k) = GemmShapeClass.Representative(c);
            GemmShapeClass.Of(m, n, k).ShouldBe(c, GemmShapeClass.Describe(c));
        }
        for (int r = 0; r < GemmShapeClass.RouteCount; r++)
        {
            var (ta, tb, m, n, k) = GemmShapeClass.RepresentativeOfRoute(r);
            GemmShapeClass.RouteOf(ta, tb, m, n, k).ShouldBe(r, $"{GemmShapeClass.Describe(GemmShapeClass.ClassOfRoute(r))} {GemmShapeClass.DescribeLayout(r)}");
        }
        // A linear layer's three products land in the same class, one route per layout.
        GemmShapeClass.RouteOf(false, true, 256, 2304, 768).ShouldBe(GemmShapeClass.RouteOf(false, false, 256, 768, 2304) - 1);
        GemmShapeClass.RouteOf(true, false, 2304, 768, 256).ShouldBe(GemmShapeClass.RouteOf(false, true, 256, 2304, 768) + 2);
        GemmShapeClass.LayoutOf(true, true).ShouldBe(2);
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
                return new GemmCalibrator(new FakeTimer()) { MinRounds = 2, MaxRounds = 2, Contention = Quiet }.Calibrate(key, [new FakeGemm("slow"), new FakeGemm("fast")]);
            }

            var first = store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(1);
            File.Exists(store.PathOf("cpu=A; threads=2")).ShouldBeTrue();

            var again = store.GetOrCalibrate("cpu=A; threads=2", () => Calibrate("cpu=A; threads=2"), useProcessCache: false);
            calibrations.ShouldBe(1);
            again.MaskOf("fast").ShouldBe(first.MaskOf("fast"));
            again.Routes.Select(c => c.Gflops["slow"]).ShouldBe(first.Routes.Select(c => c.Gflops["slow"]));

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
        // Routes rotate over OpenBLAS (when loadable), the managed GEMM split across the workers, and on one thread.
        string[] rotation = openBlas is null ? [managed.Name, single.Name] : [openBlas.Name, managed.Name, single.Name];
        var classes = Enumerable.Range(0, GemmShapeClass.RouteCount).Select(r => new GemmRouteMeasurement(r, "", "", "",
            rotation[r % rotation.Length], new Dictionary<string, double>())).ToList();
        var gemm = new CalibratedGemm(managed, openBlas, library, new GemmCalibration("k", DateTimeOffset.UnixEpoch, 1, classes));
        gemm.Name.ShouldBe($"calibrated {string.Join("+", rotation)}");
        foreach (var (m, n, k) in new[] { (3, 40, 50), (20, 30, 40), (70, 60, 90), (130, 100, 140), (256, 64, 64), (256, 300, 64) })
        {
            foreach (var (ta, tb) in new[] { (false, true), (false, false), (true, false) })
            {
                string what = $"{m}x{n}x{k} transposeA={ta} transposeB={tb}";
                gemm.RouteOf(ta, tb, m, n, k).ShouldBe(rotation[GemmShapeClass.RouteOf(ta, tb, m, n, k) % rotation.Length], what);
                var a = Random(m * k, m);
                var bm = Random(n * k, n);
                var expected = ReferenceOps.Matmul(ta, tb, m, n, k, a, bm);
                var af = Reference.Numerics.ToFloat(a);
                var bf = Reference.Numerics.ToFloat(bm);
                var parallel = new float[m * n];
                var sequential = new float[m * n];
                int lda = ta ? m : k, ldb = tb ? k : n;
                fixed (float* pa = af, pb = bf, pc = parallel, ps = sequential)
                {
                    gemm.Gemm(ta, tb, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, n);
                    gemm.Sequential.Gemm(ta, tb, m, n, k, 1f, pa, lda, pb, ldb, 0f, ps, n);
                }
                RelativeError(parallel, expected).ShouldBeLessThan(1e-5, what);
                RelativeError(sequential, expected).ShouldBeLessThan(1e-5, what + " sequential");
            }
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
