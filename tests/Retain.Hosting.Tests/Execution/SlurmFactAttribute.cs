using Retain.Hosting.Execution;

namespace Retain.Hosting.Tests.Execution;

/// <summary>A test that needs a Slurm controller answering here (CI starts one with tests/slurm/start.sh); skipped with the reason otherwise.</summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(() =>
    {
        if (SlurmClient.Find("sbatch") is null) return "no Slurm here: sbatch is not on PATH (CI installs slurm-wlm and starts it with tests/slurm/start.sh)";
        try
        {
            var sinfo = SlurmClient.Run("sinfo", ["-h", "-o", "%T"], timeoutSeconds: 15);
            if (!sinfo.Ok) return $"no Slurm controller answers (sinfo: {sinfo.FirstError}); start one with tests/slurm/start.sh and export SLURM_CONF";
            return sinfo.Text.Split('\n').Any(s => s.Trim() is "idle" or "mixed" or "allocated") ? null : $"no Slurm node is up (sinfo: {sinfo.Text})";
        }
        catch (SlurmException e)
        {
            return $"no Slurm controller answers ({e.Message})";
        }
    });

    /// <summary>Sets <see cref="FactAttribute.Skip"/> when Slurm is not usable.</summary>
    public SlurmFactAttribute()
    {
        if (Reason.Value is { } reason) Skip = reason;
    }
}
