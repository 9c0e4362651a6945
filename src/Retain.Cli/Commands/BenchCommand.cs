using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Retain.Hosting.Performance;
using Retain.Kernel.Backends.Cuda;
using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary>
/// <c>retain bench [--suite cpu|gpu] [--json] [--only NAME...] [--threads N] [--warmup N] [--warmup-seconds S] [--repeat N]
/// [--python PATH | --no-pytorch] [--no-gemm] [--ops]</c>: training, scoring and generation tokens/s and peak memory of Retain's
/// kernel and of the PyTorch peer script on the same machine in the same command, their ratio, and managed GEMM
/// against OpenBLAS. docs/performance.md explains the cases and keeps the latest numbers.
/// </summary>
public static class BenchCommand
{
    /// <summary>Creates the verb.</summary>
    public static Command Create(CliConsole console)
    {
        var suite = new Option<string>("--suite") { Description = $"Which suite: {string.Join(", ", BenchSuites.Names)}.", DefaultValueFactory = _ => "cpu" };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON on stdout (progress still goes to stderr)." };
        var only = new Option<string[]>("--only") { Description = "Run only these cases (names or model names, e.g. stories260k or gpt2-124m-train; repeatable or comma-separated).", AllowMultipleArgumentsPerToken = true };
        var threads = new Option<int>("--threads") { Description = "Threads for both sides (Retain's CPU backend, torch.set_num_threads).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var warmup = new Option<int>("--warmup") { Description = "Untimed runs before timing.", DefaultValueFactory = _ => 3 };
        var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "Warm up for at least this long (JIT tiering).", DefaultValueFactory = _ => 2.0 };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs; the median is reported with the min and max.", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of random weights and tokens.", DefaultValueFactory = _ => 1 };
        var python = new Option<string?>("--python") { Description = "Python that imports torch (default: RETAIN_PYTHON, else /usr/bin/python3, else python3)." };
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Measure Retain only." };
        var noGemm = new Option<bool>("--no-gemm") { Description = "Skip the GEMM comparison." };
        var interleave = new Option<int>("--interleave") { Description = "Split each side's timed runs into this many chunks, run Retain, PyTorch, Retain, PyTorch, ...", DefaultValueFactory = _ => 3 };
        var noLimits = new Option<bool>("--no-limits") { Description = "Skip measuring the machine's limits (peak FMA, triad bandwidth) and the training cases' lower bounds." };
        var ops = new Option<bool>("--ops") { Description = "Also time every backend op and print where each case's time goes (synchronises after every op)." };
        var measure = new Option<string?>("--measure") { Description = "Internal: measure one case in this process and print its JSON.", Hidden = true };
        var command = new Command("bench", "Measure training, scoring and generation speed against PyTorch on this machine.")
        {
            suite, json, only, threads, warmup, warmupSeconds, repeat, seed, python, noPyTorch, noGemm, interleave, noLimits, ops, measure,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            var settings = new BenchSettings(parse.GetValue(threads), parse.GetValue(warmup), parse.GetValue(warmupSeconds), parse.GetValue(repeat), parse.GetValue(seed), parse.GetValue(ops));
            if (settings.Threads < 1) throw new UsageException("--threads must be at least 1.");
            if (settings.Warmup < 0 || settings.WarmupSeconds < 0) throw new UsageException("--warmup and --warmup-seconds cannot be negative.");
            if (settings.Repeat < 1) throw new UsageException("--repeat must be at least 1.");
            if (parse.GetValue(interleave) < 1) throw new UsageException("--interleave must be at least 1.");
            string suiteName = parse.GetValue(suite)!;
            var all = Cases(suiteName);
            if (parse.GetValue(measure) is { } name)
            {
                var single = BenchSuites.Names.SelectMany(Cases).SingleOrDefault(c => c.Name == name) ?? throw new UsageException($"--measure: no case '{name}'.");
                console.Out.WriteLine(RetainCaseRunner.Measure(single, settings).ToJsonLine());
                return ExitCodes.Success;
            }
            var cases = Select(all, parse.GetValue(only));
            bool gpu = cases.Any(c => c.Device != "cpu");
            double? peakFlops = null;
            if (gpu)
            {
                var inspection = CudaInspection.Run();
                if (!inspection.Usable)
                {
                    console.Error.WriteLine($"error: the {suiteName} suite needs a CUDA GPU, and this machine has none that Retain can use: " +
                        string.Join("; ", inspection.Problems.DefaultIfEmpty("no GPU found")) + " (see 'retain doctor').");
                    return ExitCodes.Failed;
                }
                peakFlops = TrainingFlops.PeakBf16(inspection.Gpus[0].Name);
            }

            PyTorchPeer? peer = null;
            string? peerMissing = "skipped (--no-pytorch)";
            if (!parse.GetValue(noPyTorch)) (peer, peerMissing) = PyTorchPeer.Find(parse.GetValue(python), gpu);
            if (peer is null) console.Error.WriteLine($"PyTorch peer not run: {peerMissing}");

            var runner = new BenchRunner(settings, peer, peerMissing)
            {
                GemmSizes = parse.GetValue(noGemm) || gpu ? [] : [512, 1024, 2048],
                MeasureLimits = !gpu && !parse.GetValue(noLimits),
                Interleave = parse.GetValue(interleave),
            };
            var report = runner.Run(cases, console.Error.WriteLine);
            var results = report.Results;
            var machine = MachineInfo.Describe(settings.Threads, peer, peerMissing);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(BenchRunner.ToJson(machine, settings, report, peakFlops, runner.Interleave).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                WriteTables(console, machine, report, peakFlops);
            }
            foreach (var failed in results.Where(r => r.RetainError is not null)) console.Error.WriteLine($"error: {failed.Case.Name}: {failed.RetainError}");
            return results.Any(r => r.RetainError is not null) ? ExitCodes.Failed : ExitCodes.Success;
        }));
        return command;
    }

    private static IReadOnlyList<BenchCase> Cases(string suite)
    {
        try
        {
            return BenchSuites.Get(suite, Path.Combine(AppContext.BaseDirectory, "assets"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException("--suite: " + e.Message);
        }
    }

    private static IReadOnlyList<BenchCase> Select(IReadOnlyList<BenchCase> all, string[]? only)
    {
        var wanted = (only ?? []).SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (wanted.Length == 0) return all;
        var unknown = wanted.Where(w => !all.Any(c => c.Name == w || c.Model.Name == w)).ToArray();
        if (unknown.Length > 0)
        {
            throw new UsageException($"--only: no case or model named {string.Join(", ", unknown.Select(u => $"'{u}'"))}; cases: {string.Join(", ", all.Select(c => c.Name))}.");
        }
        return all.Where(c => wanted.Contains(c.Name) || wanted.Contains(c.Model.Name)).ToArray();
    }

    private static void WriteTables(CliConsole console, System.Text.Json.Nodes.JsonObject machine, BenchReport report, double? peakFlops)
    {
        var (results, gemm) = (report.Results, report.Gemm);
        var ansi = CommonOptions.Console(console);
        console.Out.WriteLine($"{machine["cpu"]} · {machine["logical_cpus"]} logical CPUs · {machine["isa"]} · {machine["threads"]} threads · GEMM: {machine["gemm"]}");
        console.Out.WriteLine($"{machine["runtime"]} · {machine["date"]} · PyTorch: {machine["pytorch"]}");
        if (report.Limits is { } limits)
        {
            console.Out.WriteLine($"Limits: peak FP32 FMA {F(limits.PeakFlops / 1e9, "N1")} GFLOP/s (Vector{limits.VectorBits}) · best GEMM {F(limits.GemmFlops / 1e9, "N1")} GFLOP/s · triad {F(limits.BandwidthBytes / 1e9, "N1")} GB/s");
        }
        var table = new Table().AddColumns("Case", "Shape", "Retain tok/s", "PyTorch tok/s", "Ratio of medians", "Ratio of mins", "Retain ms/run (min–max)", "PyTorch ms/run (min–max)", "Peak MB Retain/PyTorch", "Alloc B/run");
        foreach (var r in results)
        {
            table.AddRow(
                Markup.Escape(r.Case.Name),
                r.Case.Shape,
                r.Retain is { } a ? F(a.TokensPerSecond, "N0") : "[red]failed[/]",
                r.PyTorch is { } b ? F(b.TokensPerSecond, "N0") : "—",
                r.Ratio is { } ratio ? F(ratio, "0.00") + "×" : "—",
                r.RatioOfMins is { } mins ? F(mins, "0.00") + "×" : "—",
                r.Retain is { } c ? Milliseconds(c.Seconds) : "—",
                r.PyTorch is { } d ? Milliseconds(d.Seconds) : "—",
                $"{(r.Retain?.PeakRssMb is { } m1 ? F(m1, "N0") : "—")} / {(r.PyTorch?.PeakRssMb is { } m2 ? F(m2, "N0") : "—")}",
                r.Retain?.AllocatedBytesPerRun is { } alloc ? F(alloc, "N0") : "—");
        }
        ansi.Write(table);
        var training = results.Where(r => r.Case.Phase == BenchPhase.Train && r.Retain is not null).ToArray();
        if (training.Length > 0)
        {
            var flops = new Table().AddColumns("Training case", "Model GFLOP/token", "Retain TFLOP/s", "PyTorch TFLOP/s", "Retain MFU", "PyTorch MFU", "Peak device MB Retain/PyTorch", "Lower bound ms", "Fraction of limit");
            foreach (var r in training)
            {
                flops.AddRow(Markup.Escape(r.Case.Name), F(r.FlopsPerToken / 1e9, "N3"), F(r.Tflops(r.Retain)!.Value, "N3"),
                    r.Tflops(r.PyTorch) is { } t ? F(t, "N3") : "—",
                    r.Mfu(r.Retain, peakFlops) is { } m1 ? F(m1 * 100, "N1") + "%" : "—",
                    r.Mfu(r.PyTorch, peakFlops) is { } m2 ? F(m2 * 100, "N1") + "%" : "—",
                    $"{(r.Retain!.PeakDeviceMb is { } d1 ? F(d1, "N0") : "—")} / {(r.PyTorch?.PeakDeviceMb is { } d2 ? F(d2, "N0") : "—")}",
                    r.Bound is { } bound ? F(bound.TotalSeconds * 1000, "N1") : "—",
                    r.FractionOfLimit is { } fraction ? F(fraction * 100, "N0") + "%" : "—");
            }
            ansi.Write(flops);
        }
        foreach (var r in results.Where(r => r.Retain?.Ops is not null))
        {
            var opsTable = new Table().AddColumns($"{Markup.Escape(r.Case.Name)}: op", "ms/run", "share", "calls/run");
            double total = r.Retain!.Ops!.Sum(o => o.SecondsPerRun);
            foreach (var op in r.Retain.Ops!.Take(12))
            {
                opsTable.AddRow(op.Op, F(op.SecondsPerRun * 1000, "N2"), F(op.SecondsPerRun / total * 100, "N1") + "%", F(op.CallsPerRun, "N0"));
            }
            ansi.Write(opsTable);
            if (r.Bound is not { } opsBound) continue;
            var parts = new Table().AddColumns($"{Markup.Escape(r.Case.Name)}: part", "ops", "ms/run", "lower bound ms", "fraction of limit");
            foreach (var part in Roofline.Parts)
            {
                var members = r.Retain.Ops!.Where(o => Roofline.PartOf(o.Op) == part).ToArray();
                double measured = members.Sum(o => o.SecondsPerRun), limit = Roofline.SecondsOf(opsBound, part);
                parts.AddRow(part, Markup.Escape(string.Join(", ", members.Select(o => o.Op))), F(measured * 1000, "N2"), F(limit * 1000, "N2"),
                    measured > 0 ? F(limit / measured * 100, "N0") + "%" : "—");
            }
            ansi.Write(parts);
            if (r.GemmRates.Count == 0) continue;
            var products = new Table().AddColumns($"{Markup.Escape(r.Case.Name)}: GEMM product", "per step", "managed GFLOP/s", "OpenBLAS GFLOP/s", "bound ms");
            foreach (var g in r.GemmRates)
            {
                products.AddRow(g.Product.Shape, F(g.Product.Count, "N0"), F(g.ManagedGflops, "N1"), g.OpenBlasGflops is { } o ? F(o, "N1") : "—",
                    F(g.Product.Flops / g.BestFlops * 1000, "N2"));
            }
            ansi.Write(products);
        }
        foreach (var r in results.Where(r => r.PyTorch is null && r.PyTorchError is not null && r.Retain is not null).Take(1))
        {
            console.Out.WriteLine($"PyTorch: {r.PyTorchError}");
        }
        if (gemm.Count == 0) return;
        var gemmTable = new Table().AddColumns("GEMM n×n×n", "Managed GFLOP/s", "OpenBLAS GFLOP/s", "Managed / OpenBLAS");
        foreach (var g in gemm)
        {
            gemmTable.AddRow(g.N.ToString(CultureInfo.InvariantCulture), F(g.ManagedGflops, "N1"), g.OpenBlasGflops is { } o ? F(o, "N1") : "—", g.Ratio is { } q ? F(q * 100, "N0") + "%" : "—");
        }
        ansi.Write(gemmTable);
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Milliseconds(Retain.Kernel.Diagnostics.TimingSamples s) =>
        $"{F(s.Median * 1000, "N1")} ({F(s.Min * 1000, "N1")}–{F(s.Max * 1000, "N1")})";
}
