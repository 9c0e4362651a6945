using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Retain.Hosting.Configuration;

/// <summary>Where a sweep's cells run.</summary>
public enum ExecutorKind
{
    /// <summary>On this machine: one after another, or <c>--parallel N</c> processes.</summary>
    Local,
    /// <summary>As one Slurm job array, one task per cell.</summary>
    Slurm,
}

/// <summary>
/// Resources of each Slurm array task (one cell: a training run with its evaluations, or the Init evaluation). These
/// keys say where cells run, not what they compute: changing them never changes a run's settings hash.
/// </summary>
public sealed class SlurmSettings : IValidatableObject
{
    /// <summary>The partition (<c>--partition</c>); the cluster's default when unset.</summary>
    [Description("Partition (sbatch --partition); the cluster's default when unset.")]
    public string? Partition { get; set; }

    /// <summary>The account to charge (<c>--account</c>).</summary>
    [Description("Account to charge (sbatch --account).")]
    public string? Account { get; set; }

    /// <summary>Quality of service (<c>--qos</c>).</summary>
    [Description("Quality of service (sbatch --qos).")]
    public string? Qos { get; set; }

    /// <summary>GPUs per cell (<c>--gres=gpu:N</c>).</summary>
    [Range(0, 64)]
    [Description("GPUs per cell (sbatch --gres=gpu:N); 0 for CPU cells.")]
    public int GpusPerCell { get; set; }

    /// <summary>CPU cores per cell (<c>--cpus-per-task</c>); a CPU cell uses that many threads.</summary>
    [Range(1, 4096)]
    [Description("CPU cores per cell (sbatch --cpus-per-task); a CPU cell uses that many threads.")]
    public int CpusPerCell { get; set; } = 1;

    /// <summary>Memory per cell in Slurm's notation (<c>--mem</c>, e.g. <c>64G</c>).</summary>
    [Description("Memory per cell (sbatch --mem, e.g. 64G).")]
    public string? Memory { get; set; }

    /// <summary>Time limit per cell in Slurm's notation (<c>--time</c>, e.g. <c>12:00:00</c>).</summary>
    [Description("Time limit per cell (sbatch --time, e.g. 12:00:00); a cell that reaches it resumes when resubmitted.")]
    public string? Time { get; set; }

    /// <summary>At most this many cells at once (<c>--array=...%N</c>).</summary>
    [Range(1, int.MaxValue)]
    [Description("Run at most this many cells at once (sbatch --array=...%N).")]
    public int? MaxConcurrent { get; set; }

    /// <summary>Extra sbatch options, one per line (<c>--constraint=a100</c>), written as <c>#SBATCH</c> lines.</summary>
    [Description("Extra sbatch options, each written as an #SBATCH line (e.g. \"--constraint=a100\").")]
    public List<string> Sbatch { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var line in Sbatch.Where(l => l.Contains('\n') || l.Contains('\r')))
            yield return new ValidationResult($"'{line.ReplaceLineEndings(" ")}' spans lines; give each sbatch option as its own list entry.", [nameof(Sbatch)]);
        foreach (var (value, key) in new[] { (Partition, nameof(Partition)), (Account, nameof(Account)), (Qos, nameof(Qos)), (Memory, nameof(Memory)), (Time, nameof(Time)) })
        {
            if (value is not null && (value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '$' or '`')))
                yield return new ValidationResult($"'{value}' is not a Slurm value (no spaces, quotes, '$' or '`').", [key]);
        }
    }
}
