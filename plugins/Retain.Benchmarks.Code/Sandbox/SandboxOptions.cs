using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Retain.Benchmarks.Code.Sandbox;

/// <summary>How generated programs are confined (see <see cref="PythonSandbox"/>).</summary>
public enum SandboxIsolation
{
    /// <summary>Namespaces when <c>unshare</c> works here, else the process-only fallback.</summary>
    Auto,
    /// <summary>Require network, PID and mount namespaces; fail when they are unavailable.</summary>
    Namespaces,
    /// <summary>Resource limits, privilege drop (when root), clean environment and process-tree kill only.</summary>
    ProcessOnly,
}

/// <summary>Limits of the code-execution sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>Interpreter path; empty picks one.</summary>
    [Description("python3 to run programs with; empty: /usr/bin/python3 when present, else python3 on PATH.")]
    public string Python { get; set; } = "";

    /// <summary>Per-program time limit.</summary>
    [Description("Per-program time limit in seconds (code_eval's 3.0); the process is killed one second later.")]
    [Range(0.1, 600)]
    public double TimeoutSeconds { get; set; } = 3.0;

    /// <summary>Address-space limit.</summary>
    [Description("Address-space limit (RLIMIT_AS) in MiB.")]
    [Range(64, 1 << 20)]
    public int MemoryMiB { get; set; } = 1024;

    /// <summary>Process limit.</summary>
    [Description("Process limit (RLIMIT_NPROC) for the sandbox user.")]
    [Range(1, 4096)]
    public int MaxProcesses { get; set; } = 32;

    /// <summary>Largest file a program may write.</summary>
    [Description("Largest file a program may write (RLIMIT_FSIZE), in MiB.")]
    [Range(1, 1 << 20)]
    public int MaxFileMiB { get; set; } = 16;

    /// <summary>Output cap.</summary>
    [Description("Bytes of stdout+stderr read from a program before it is killed and failed.")]
    [Range(1024, 1 << 30)]
    public int MaxOutputBytes { get; set; } = 1 << 20;

    /// <summary>Unprivileged uid when running as root; 0 gives each program a fresh unused uid.</summary>
    [Description("uid/gid a root-run sandbox drops to; 0 (default) picks a fresh uid per program, so RLIMIT_NPROC counts that program alone and its leftovers can be found and killed by uid.")]
    [Range(0, int.MaxValue)]
    public int SandboxUid { get; set; }

    /// <summary>Isolation mode.</summary>
    [Description("auto | namespaces | processonly: namespaces need a working 'unshare' (util-linux).")]
    public SandboxIsolation Isolation { get; set; } = SandboxIsolation.Auto;

    /// <summary>Programs run at once.</summary>
    [Description("Programs executed in parallel (0 = one per CPU core).")]
    [Range(0, 256)]
    public int Workers { get; set; }
}
