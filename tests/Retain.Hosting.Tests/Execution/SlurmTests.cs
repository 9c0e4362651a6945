using System.Text.Json.Nodes;
using Retain.Hosting.Execution;
using Retain.Hosting.Tests.Runs;
using Retain.Testing;

namespace Retain.Hosting.Tests.Execution;

/// <summary>
/// The Slurm executor against a real single-node Slurm (CI: Debian's slurm-wlm and munge, started by
/// tests/slurm/start.sh): results equal a local sequential run, a cancelled sweep resumes to the same results, a
/// failing cell shows why, and two array tasks never hold one cell.
/// </summary>
public class SlurmTests
{
    private const string Methods = """[ "standard", { "name": "broken", "strategies": [ "standard", { "name": "poison", "options": { "fromStep": 1, "throw": true } } ] } ]""";

    private static void WaitUntil(Func<bool> done, string what, int minutes = 5)
    {
        var deadline = DateTime.UtcNow.AddMinutes(minutes);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            Thread.Sleep(100);
        }
    }

    private static bool Queued(IEnumerable<string> jobs)
    {
        var squeue = SlurmClient.Run("squeue", ["-h", "-r", "-o", "%F %A"]);
        var listed = squeue.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).SelectMany(l => l.Split(' ')).ToHashSet();
        return jobs.Any(listed.Contains);
    }

    private static bool Finished(string sweep, string cell)
    {
        var result = Path.Combine(sweep, cell, "result.json");
        if (!File.Exists(result)) return false;
        return cell == SweepCells.Init || JsonNode.Parse(File.ReadAllText(result))!["status"]!.GetValue<string>() is "completed" or "diverged";
    }

    private static SlurmSubmission Submit(string config)
    {
        var (code, output, error) = TestBuild.Cli(["run", config, "--executor", "slurm"]);
        code.ShouldBe(0, error + output);
        output.ShouldContain("Submitted job array");
        var sweep = Path.Combine(Path.GetDirectoryName(config)!, Path.GetFileNameWithoutExtension(config), ExecutorTests.Sweep);
        var submissions = SlurmSubmission.ReadAll(sweep);
        output.ShouldContain($"Submitted job array {submissions[^1].Job}");
        return submissions[^1];
    }

    [SlurmFact]
    public void A_lock_of_a_slurm_task_on_another_node_is_taken_over_once_slurm_no_longer_runs_its_job()
    {
        using var temp = new TempFolder();
        var cell = Path.Combine(temp.Path, "cell");
        Directory.CreateDirectory(cell);
        // A fresh heartbeat, but a job Slurm does not know (the node died with the task): no need to wait out the lease.
        File.WriteAllText(CellLock.PathOf(cell), """{ "pid": 4242, "host": "node-elsewhere", "slurmJob": "987654_1", "token": "gone" }""");
        CellLock.Read(cell)!.Live.ShouldBeTrue();
        using var taken = CellLock.TryAcquire(cell, out _);
        taken.ShouldNotBeNull();
    }

    [SlurmFact]
    public void A_sweep_on_slurm_cancelled_and_resubmitted_reaches_the_results_of_a_local_sequential_run()
    {
        using var temp = new TempFolder();
        var local = RunnerTests.Config(temp, Path.Combine(temp.Path, "local"), [1e-3, 2e-3], steps: 12, methods: Methods, plugins: TestBuild.FixturePlugins);
        var slurm = RunnerTests.Config(temp, Path.Combine(temp.Path, "slurm"), [1e-3, 2e-3], steps: 12, methods: Methods, plugins: TestBuild.FixturePlugins);
        var expected = Path.Combine(temp.Path, "local", ExecutorTests.Sweep);
        var sweep = Path.Combine(temp.Path, "slurm", ExecutorTests.Sweep);

        var first = Submit(slurm);
        first.Cells.ShouldBe(["init", "standard_lr1e-03_s3", "standard_lr2e-03_s3", "broken_lr1e-03_s3", "broken_lr2e-03_s3"]);
        var script = File.ReadAllText(first.Script);
        script.ShouldContain("#SBATCH --array=0-4");
        script.ShouldContain("'--cell' \"$cell\"");

        // Cancel the sweep while a cell is mid-run.
        var target = Path.Combine(sweep, "standard_lr1e-03_s3");
        WaitUntil(() => CellProgress.Read(target) is { Step: >= 2 } || File.Exists(Path.Combine(target, "result.json")), "standard_lr1e-03_s3 to train a few steps");
        SweepCancel.Cancel(sweep).ShouldContain($"scancel {first.Job} {first.ReportJob}: done"); // 'retain cancel', in this process so that it lands mid-run
        bool interrupted = !File.Exists(Path.Combine(target, "result.json"));
        var reference = TestBuild.Cli(["run", local]); // the local sequential run, while Slurm winds down
        reference.ExitCode.ShouldBe(1, reference.Err + reference.Out); // the broken cells fail
        WaitUntil(() => !Queued([first.Job, first.ReportJob!]), "the cancelled jobs to leave the queue");
        if (interrupted)
        {
            var stopped = TestBuild.Cli(["status", sweep]);
            stopped.ExitCode.ShouldBe(0, stopped.Err);
            stopped.Out.ShouldMatch(@"standard_lr1e-03_s3 +│ interrupted");
        }

        // Resubmitting sends only what is unfinished; the same script submitted once more at the same time makes two
        // array tasks per cell, and the cell locks let only one of them run it at a time.
        var unfinished = first.Cells.Where(c => !Finished(sweep, c)).ToList();
        var second = Submit(slurm);
        second.Cells.ShouldBe(unfinished);
        var duplicate = SlurmClient.Submit(second.Script);
        WaitUntil(() => !Queued([second.Job, duplicate]), "the resubmitted cells", minutes: 8);
        WaitUntil(() => !Queued([second.ReportJob!]), "the report job");

        ExecutorTests.ShouldHaveTheSameResults(sweep, expected);
        var logDirectory = SlurmScript.LogDirectory(sweep);
        var logs = Directory.GetFiles(logDirectory, $"{second.Job}_*.out").Concat(Directory.GetFiles(logDirectory, $"{duplicate}_*.out")).Select(File.ReadAllText).ToList();
        foreach (var cell in new[] { "standard_lr1e-03_s3", "standard_lr2e-03_s3" })
        {
            ExecutorTests.ShouldHaveLoggedEachStepOnce(Path.Combine(sweep, cell));
            // Of the two tasks of a finished-once cell, one trained it; the other found it running or finished.
            if (second.Cells.Contains(cell)) logs.Count(l => l.Contains($"runs cell {cell} ") && l.Contains($"[{cell}] training")).ShouldBe(1, cell);
        }
        if (interrupted) logs.ShouldContain(l => l.Contains("[standard_lr1e-03_s3] resuming at step"));

        var status = TestBuild.Cli(["status", sweep]);
        status.ExitCode.ShouldBe(0, status.Err);
        status.Out.ShouldContain("3 completed, 2 failed");
        status.Out.ShouldContain("poison: thrown at step 1 as configured");
        File.Exists(Path.Combine(sweep, "report.html")).ShouldBeTrue();
        JsonNode.Parse(File.ReadAllText(Path.Combine(sweep, "broken_lr1e-03_s3", "result.json")))!["status"]!.GetValue<string>().ShouldBe("failed");
    }
}
