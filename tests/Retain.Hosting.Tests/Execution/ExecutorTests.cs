using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Retain.Hosting.Execution;
using Retain.Hosting.Tests.Runs;
using Retain.Testing;

namespace Retain.Hosting.Tests.Execution;

/// <summary>The local executors and the cell lock across processes, through the built CLI on the shipped stories260K model.</summary>
public partial class ExecutorTests
{
    internal const string Sweep = "tiny";

    [GeneratedRegex("seconds|elapsed|duration|timing|started|finished|wall", RegexOptions.IgnoreCase)]
    private static partial Regex TimingKey();

    /// <summary>A result file without its timing fields (the only ones allowed to differ between executors).</summary>
    internal static string WithoutTiming(string path)
    {
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        Strip(node);
        return node.ToJsonString();

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                foreach (var key in o.Select(p => p.Key).Where(k => TimingKey().IsMatch(k)).ToList()) o.Remove(key);
                foreach (var (_, child) in o) Strip(child);
            }
            else if (node is JsonArray a) foreach (var child in a) Strip(child);
        }
    }

    /// <summary>Every result.json of <paramref name="actual"/> equals <paramref name="expected"/>'s (same cells, same content apart from timing).</summary>
    internal static void ShouldHaveTheSameResults(string actual, string expected)
    {
        var cells = SweepCells.Read(expected)!.Select(c => c.Name).ToList();
        SweepCells.Read(actual)!.Select(c => c.Name).ShouldBe(cells);
        foreach (var cell in cells)
        {
            var path = Path.Combine(cell, "result.json");
            File.Exists(Path.Combine(actual, path)).ShouldBeTrue($"{cell} has no result in {actual}");
            WithoutTiming(Path.Combine(actual, path)).ShouldBe(WithoutTiming(Path.Combine(expected, path)), cell);
        }
    }

    /// <summary>The steps a run logged, which must each appear once (a cell trained by two processes at once would repeat or tear them).</summary>
    internal static void ShouldHaveLoggedEachStepOnce(string run)
    {
        var steps = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonNode.Parse(l)!["step"]!.GetValue<int>()).ToList();
        steps.ShouldBe(Enumerable.Range(1, steps.Count).ToList(), run);
    }

    [Fact]
    public void Parallel_2_gives_the_same_results_as_the_sequential_run_even_with_a_plain_run_racing_it_on_the_same_folder()
    {
        using var temp = new TempFolder();
        var sequential = RunnerTests.Config(temp, Path.Combine(temp.Path, "sequential"), [1e-3, 2e-3], steps: 4);
        var parallel = RunnerTests.Config(temp, Path.Combine(temp.Path, "parallel"), [1e-3, 2e-3], steps: 4);
        var reference = TestBuild.Cli(["run", sequential]);
        reference.ExitCode.ShouldBe(0, reference.Err + reference.Out);

        // A plain 'retain run' on the same folder at the same time: the cell locks split the cells between them.
        var racer = TestBuild.Start(["run", parallel]);
        var run = TestBuild.Cli(["run", parallel, "--parallel", "2"]);
        var raced = TestBuild.Finish(racer);
        run.ExitCode.ShouldBeOneOf([0, 1], run.Err + run.Out);
        raced.ExitCode.ShouldBeOneOf([0, 1], raced.Err + raced.Out);
        run.Out.ShouldContain("started in pid");
        run.Out.ShouldContain("DOTNET_PROCESSOR_COUNT=");

        var expected = Path.Combine(temp.Path, "sequential", Sweep);
        var actual = Path.Combine(temp.Path, "parallel", Sweep);
        ShouldHaveTheSameResults(actual, expected);
        foreach (var cell in SweepCells.Read(actual)!.Skip(1)) ShouldHaveLoggedEachStepOnce(Path.Combine(actual, cell.Name));
        TestBuild.Cli(["run", parallel, "--parallel", "2"]).Out.ShouldContain("already finished (completed); skipped");
    }

    [Fact]
    public void A_cell_held_by_another_process_is_left_to_it_and_a_dead_holders_lock_is_taken_over()
    {
        using var temp = new TempFolder();
        var config = RunnerTests.Config(temp, Path.Combine(temp.Path, "out"), [1e-3, 2e-3], steps: 4);
        var sweep = Path.Combine(temp.Path, "out", Sweep);
        var held = Path.Combine(sweep, "standard_lr2e-03_s3");

        using (var cellLock = CellLock.TryAcquire(held, out _))
        {
            cellLock.ShouldNotBeNull();
            var alone = TestBuild.Cli(["run", config, "--cell", "standard_lr2e-03_s3"]);
            alone.ExitCode.ShouldBe(1, alone.Err + alone.Out);
            alone.Err.ShouldContain($"cell standard_lr2e-03_s3 is already being run by pid {Environment.ProcessId} on host {Environment.MachineName}");

            var whole = TestBuild.Cli(["run", config]);
            whole.ExitCode.ShouldBe(1, whole.Err + whole.Out);
            whole.Out.ShouldContain($"[standard_lr2e-03_s3] is being run by pid {Environment.ProcessId} on host {Environment.MachineName}");
            whole.Err.ShouldContain("not finished here: standard_lr2e-03_s3: pid");
            File.Exists(Path.Combine(sweep, "standard_lr1e-03_s3", "result.json")).ShouldBeTrue();
            File.Exists(Path.Combine(held, "result.json")).ShouldBeFalse();

            var status = TestBuild.Cli(["status", sweep]);
            status.ExitCode.ShouldBe(0, status.Err);
            status.Out.ShouldContain("2 completed, 1 running");
            status.Out.ShouldContain($"pid {Environment.ProcessId} on host {Environment.MachineName}");

            var report = TestBuild.Cli(["report", sweep]);
            report.ExitCode.ShouldBe(0, report.Err);
            report.Out.ShouldContain("Not finished yet (1, marked in the report): standard_lr2e-03_s3");
            File.ReadAllText(Path.Combine(sweep, "report.md")).ShouldContain("Run standard_lr2e-03_s3: not finished yet");
        }

        // The lock of a process killed on this host blocks nothing.
        using (var dead = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            dead.WaitForExit();
            File.WriteAllText(CellLock.PathOf(held), $$"""{ "pid": {{dead.Id}}, "host": "{{Environment.MachineName}}", "token": "killed" }""");
        }
        TestBuild.Cli(["status", sweep]).Out.ShouldContain("2 completed, 1 pending");
        var resumed = TestBuild.Cli(["run", config, "--cell", "standard_lr2e-03_s3"]);
        resumed.ExitCode.ShouldBe(0, resumed.Err + resumed.Out);
        File.Exists(Path.Combine(held, "result.json")).ShouldBeTrue();
        File.Exists(CellLock.PathOf(held)).ShouldBeFalse();
        TestBuild.Cli(["status", sweep]).Out.ShouldContain("3 completed");
    }

    [Fact]
    public void A_run_trains_without_the_Init_cell_and_waits_for_it_only_to_score_its_benchmarks()
    {
        using var temp = new TempFolder();
        var config = RunnerTests.Config(temp, Path.Combine(temp.Path, "out"), [1e-3], steps: 4);
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["benchmarks"] = new JsonArray("continuation");
        json["general"] = new JsonObject { ["limit"] = 4 };
        File.WriteAllText(config, json.ToJsonString());
        var sweep = Path.Combine(temp.Path, "out", Sweep);
        var cell = Path.Combine(sweep, "standard_lr1e-03_s3");

        (Process Process, Task<string> Out, Task<string> Err) started;
        using (var init = CellLock.TryAcquire(Path.Combine(sweep, SweepCells.Init), out _))
        {
            init.ShouldNotBeNull(); // another process "is evaluating" the initial model
            started = TestBuild.Start(["run", config, "--cell", "standard_lr1e-03_s3"]);
            var deadline = DateTime.UtcNow.AddMinutes(4);
            while (CellProgress.Read(cell)?.Phase.StartsWith("waiting for the Init evaluation", StringComparison.Ordinal) != true && !started.Process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
            CellProgress.Read(cell)!.Phase.ShouldBe($"waiting for the Init evaluation, which {init.Holder} is running");
            ShouldHaveLoggedEachStepOnce(cell);
            File.ReadLines(Path.Combine(cell, "metrics.jsonl")).Count().ShouldBe(4, "it trained fully before it needed the Init point");
            File.Exists(Path.Combine(cell, "result.json")).ShouldBeFalse();
        }
        // The holder is gone without a result: the waiting run evaluates the initial model itself and finishes.
        var finished = TestBuild.Finish(started);
        finished.ExitCode.ShouldBe(0, finished.Err + finished.Out);
        File.Exists(Path.Combine(sweep, SweepCells.Init, "result.json")).ShouldBeTrue();
        JsonNode.Parse(File.ReadAllText(Path.Combine(cell, "result.json")))!["scores"]!["benchmarks"]!["continuation"].ShouldNotBeNull();
    }

    [Fact]
    public void Parallel_cells_load_the_plugins_given_with_the_plugins_option()
    {
        // The method's 'stall' strategy exists only in the fixture plugins, which only --plugins names: each cell
        // process must be given the same folders, or it fails with an unknown strategy.
        using var temp = new TempFolder();
        var methods = """[ { "name": "standard", "strategies": [ "standard", { "name": "stall", "options": { "fromStep": 1000 } } ] } ]""";
        var config = RunnerTests.Config(temp, Path.Combine(temp.Path, "out"), [1e-3, 2e-3], steps: 2, methods: methods);
        var run = TestBuild.Cli(["run", config, "--parallel", "2", "--plugins", TestBuild.FixturePlugins]);
        run.ExitCode.ShouldBe(0, run.Err + run.Out);
        var sweep = Path.Combine(temp.Path, "out", Sweep);
        foreach (var cell in SweepCells.Read(sweep)!.Skip(1))
        {
            File.Exists(Path.Combine(sweep, cell.Name, "result.json")).ShouldBeTrue($"{cell.Name} has no result:\n{run.Err}{run.Out}");
        }
    }

    [Fact]
    public void Cancel_stops_a_parallel_sweep_and_its_cells_and_the_next_run_resumes_them()
    {
        using var temp = new TempFolder();
        var config = RunnerTests.Config(temp, Path.Combine(temp.Path, "out"), [1e-3], steps: 20);
        var sweep = Path.Combine(temp.Path, "out", Sweep);
        var cell = Path.Combine(sweep, "standard_lr1e-03_s3");
        var started = TestBuild.Start(["run", config, "--parallel", "2"]);
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (CellProgress.Read(cell) is not { Step: >= 2 } && !started.Process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);

        // In this process, so that the cell is still mid-run when it lands ('retain cancel' is this call).
        SweepCancel.Cancel(sweep).ShouldContain($"--parallel executor: stopped pid {started.Process.Id}");
        var parallel = TestBuild.Finish(started);
        parallel.ExitCode.ShouldNotBe(0);
        File.Exists(Path.Combine(cell, "result.json")).ShouldBeFalse("the cell must have been stopped before it finished");
        TestBuild.Cli(["status", sweep]).Out.ShouldMatch(@"standard_lr1e-03_s3 +│ interrupted");

        var resumed = TestBuild.Cli(["run", config, "--cell", "standard_lr1e-03_s3"]);
        resumed.ExitCode.ShouldBe(0, resumed.Err + resumed.Out);
        resumed.Out.ShouldContain("resuming at step");
        ShouldHaveLoggedEachStepOnce(cell);
    }

    [Fact]
    public void The_slurm_executor_refuses_clearly_without_sbatch_and_the_configuration_checks_its_keys()
    {
        using var temp = new TempFolder();
        var config = RunnerTests.Config(temp, Path.Combine(temp.Path, "out"), [1e-3], steps: 4);
        var run = TestBuild.Cli(["run", config, "--executor", "slurm"], new Dictionary<string, string> { ["PATH"] = temp.Path }); // no sbatch there
        run.ExitCode.ShouldBe(2, run.Err + run.Out);
        run.Err.ShouldContain("executor: 'slurm' needs Slurm's sbatch on PATH, and it is not there");
        Directory.Exists(Path.Combine(temp.Path, "out", Sweep, "slurm")).ShouldBeFalse();

        var bad = TestBuild.Cli(["config", "validate", config, "--set", "executor=pbs", "--set", "slurm.memory=64 G", "--set", "slurm.cpusPerCell=0"]);
        bad.ExitCode.ShouldBe(2, bad.Err + bad.Out);
        bad.Err.ShouldContain("executor");
        bad.Err.ShouldContain("slurm.memory");
        bad.Err.ShouldContain("slurm.cpusPerCell");

        var nothing = TestBuild.Cli(["cancel", temp.Path]);
        nothing.ExitCode.ShouldBe(0, nothing.Err);
        nothing.Out.ShouldContain("nothing to cancel: no Slurm submission and no cell running on this host");

        var parallelOnSlurm = TestBuild.Cli(["run", config, "--executor", "slurm", "--parallel", "2"]);
        parallelOnSlurm.ExitCode.ShouldBe(2);
        parallelOnSlurm.Err.ShouldContain("--parallel is for the local executor");
    }
}
