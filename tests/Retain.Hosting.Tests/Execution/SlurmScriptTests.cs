using Retain.Hosting.Configuration;
using Retain.Hosting.Execution;

namespace Retain.Hosting.Tests.Execution;

/// <summary>The generated sbatch scripts carry the configuration's resources and run each cell with the same overrides.</summary>
public class SlurmScriptTests
{
    private static readonly RetainInvocation Invocation = new(["/opt/retain/retain"], "/shared/it's/medcalc.json", ["training.epochs=2"], ["/shared/plugins"]);

    [Fact]
    public void The_array_script_has_one_task_per_cell_with_the_configured_resources()
    {
        var slurm = new SlurmSettings
        {
            Partition = "gpu", Account = "lab", Qos = "long", GpusPerCell = 1, CpusPerCell = 8, Memory = "96G", Time = "24:00:00", MaxConcurrent = 4,
            Sbatch = ["--constraint=a100", "#SBATCH --requeue"],
        };
        var script = SlurmScript.Array("medcalc", "/shared/sweeps/medcalc", ["init", "standard_lr1e-06_s42", "talr_lr1e-06_s42"], slurm, "cuda", Invocation);
        var lines = script.Split('\n').Select(l => l.TrimEnd()).ToList();
        lines[0].ShouldBe("#!/bin/bash");
        foreach (var expected in new[]
        {
            "#SBATCH --job-name=retain-medcalc", "#SBATCH --array=0-2%4", "#SBATCH --output=/shared/sweeps/medcalc/slurm/logs/%A_%a.out",
            "#SBATCH --cpus-per-task=8", "#SBATCH --gres=gpu:1", "#SBATCH --partition=gpu", "#SBATCH --account=lab", "#SBATCH --qos=long",
            "#SBATCH --time=24:00:00", "#SBATCH --mem=96G", "#SBATCH --constraint=a100", "#SBATCH --requeue",
            "cells=('init' 'standard_lr1e-06_s42' 'talr_lr1e-06_s42')",
            "exec '/opt/retain/retain' 'run' '/shared/it'\\''s/medcalc.json' '--cell' \"$cell\" '--set' 'training.epochs=2' '--plugins' '/shared/plugins'",
        })
        {
            lines.ShouldContain(expected);
        }
        // Every #SBATCH line comes before the first command, or sbatch ignores it.
        lines.FindLastIndex(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)).ShouldBeLessThan(lines.FindIndex(l => l.StartsWith("set -euo", StringComparison.Ordinal)));
        script.ShouldNotContain("DOTNET_PROCESSOR_COUNT"); // a CUDA cell
    }

    [Fact]
    public void A_cpu_cell_uses_the_cores_it_was_given_and_the_report_job_runs_retain_report()
    {
        var slurm = new SlurmSettings { CpusPerCell = 2 };
        var script = SlurmScript.Array("tiny", "/tmp/s/tiny", ["init"], slurm, "cpu", Invocation);
        script.ShouldContain("export DOTNET_PROCESSOR_COUNT=\"${SLURM_CPUS_PER_TASK:-1}\"");
        script.ShouldNotContain("--gres");
        script.ShouldNotContain("--partition");
        SlurmScript.Report("tiny", "/tmp/s/tiny", slurm, Invocation).ShouldContain("exec '/opt/retain/retain' 'report' '/tmp/s/tiny'");
    }
}
