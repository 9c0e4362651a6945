using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retain.Hosting.Execution;

/// <summary>Who holds a cell's lock: written once into the lock file when it is taken.</summary>
public sealed record LockHolder
{
    /// <summary>The holder's process id.</summary>
    [JsonPropertyName("pid")] public int Pid { get; init; }

    /// <summary>The holder's host name.</summary>
    [JsonPropertyName("host")] public string Host { get; init; } = "";

    /// <summary>The holder process's start time (UTC), so that a reused pid is not taken for the holder.</summary>
    [JsonPropertyName("processStart")] public DateTime ProcessStart { get; init; }

    /// <summary>When the lock was taken (UTC).</summary>
    [JsonPropertyName("since")] public DateTime Since { get; init; }

    /// <summary>The Slurm job (<c>jobid</c> or <c>arrayjob_task</c>) when the holder runs under Slurm.</summary>
    [JsonPropertyName("slurmJob")] public string? SlurmJob { get; init; }

    /// <summary>A random token: a lock file is only ever removed by the holder that wrote it, or as proven stale.</summary>
    [JsonPropertyName("token")] public string Token { get; init; } = "";

    /// <summary>"pid 123 on host node7 (Slurm job 45_2) since 2026-01-01 10:00:00Z".</summary>
    public override string ToString()
        => $"pid {Pid} on host {Host}{(SlurmJob is null ? "" : $" (Slurm job {SlurmJob})")} since {Since:yyyy-MM-dd HH:mm:ss}Z";

    /// <summary>This process.</summary>
    public static LockHolder Current()
    {
        using var self = Process.GetCurrentProcess();
        return new LockHolder
        {
            Pid = Environment.ProcessId,
            Host = Environment.MachineName,
            ProcessStart = self.StartTime.ToUniversalTime(),
            Since = DateTime.UtcNow,
            SlurmJob = SlurmEnvironment.CurrentJob(),
            Token = Guid.NewGuid().ToString("N"),
        };
    }
}

/// <summary>What a lock file says about its cell right now.</summary>
/// <param name="Holder">The holder, when the file could be read.</param>
/// <param name="Live">Whether the holder is alive (same host: its process exists; other host: its heartbeat is fresh).</param>
/// <param name="Heartbeat">The last heartbeat (the file's modification time).</param>
public sealed record LockState(LockHolder? Holder, bool Live, DateTime Heartbeat);

/// <summary>
/// An exclusive lock on one cell of a sweep (a training run, or the Init evaluation), so that a cell is never run by
/// two processes at once — two <c>retain run</c> on one folder, <c>--parallel</c> children, Slurm array tasks on
/// several nodes. The lock is a file created with O_CREAT|O_EXCL (atomic on local filesystems, NFSv3+ and Lustre)
/// holding the holder's pid, host and start time; the holder touches its modification time every
/// <see cref="HeartbeatInterval"/>. A lock is stale, and taken over, when its holder is on this host and its process
/// is gone (or the pid now belongs to another process), or when its holder is on another host and its heartbeat is
/// older than <see cref="Lease"/> (or, for a Slurm task, as soon as Slurm no longer runs its job). Stale locks are
/// broken one breaker at a time, and only while still stale, so processes racing for one stale lock end with exactly
/// one holder.
/// </summary>
public sealed class CellLock : IDisposable
{
    /// <summary>How often the holder refreshes its heartbeat.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

    /// <summary>A holder on another host whose heartbeat is older than this is taken for dead.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>The lock file's name inside a cell folder.</summary>
    public const string FileName = "lock.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static readonly HashSet<CellLock> Held = [];

    private readonly Timer _heartbeat;
    private int _released;

    static CellLock()
    {
        // Slurm stops a task (scancel, preemption, time limit) with SIGTERM, on which .NET exits through ProcessExit:
        // the locks go with it, so the resubmitted cell, perhaps on another node, need not wait out the lease.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            CellLock[] held;
            lock (Held) held = [.. Held];
            foreach (var cellLock in held) cellLock.Dispose();
        };
    }

    private CellLock(string path, LockHolder holder)
    {
        Path = path;
        Holder = holder;
        _heartbeat = new Timer(_ => Beat(), null, HeartbeatInterval, HeartbeatInterval);
        lock (Held) Held.Add(this);
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>This process, as written in the file.</summary>
    public LockHolder Holder { get; }

    /// <summary>The lock file of a cell folder.</summary>
    public static string PathOf(string cellDirectory) => System.IO.Path.Combine(cellDirectory, FileName);

    /// <summary>Takes the cell's lock, or returns null and the live holder when another process has it.</summary>
    public static CellLock? TryAcquire(string cellDirectory, out LockHolder? heldBy)
    {
        Directory.CreateDirectory(cellDirectory);
        var path = PathOf(cellDirectory);
        var holder = LockHolder.Current();
        var text = JsonSerializer.Serialize(holder, Json);
        IOException? failure = null;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                using (var writer = new StreamWriter(stream))
                {
                    writer.Write(text);
                }
                heldBy = null;
                return new CellLock(path, holder);
            }
            catch (IOException e)
            {
                if (!File.Exists(path))
                {
                    failure = e; // removed between our create and our look (a breaker or a release): try again
                    continue;
                }
                failure = null;
                var state = Inspect(path);
                if (state is null) continue; // released meanwhile
                if (state.Live && !SlurmJobEnded(state.Holder))
                {
                    heldBy = state.Holder;
                    return null;
                }
                BreakStale(path, state with { Live = false });
            }
        }
        if (failure is not null && !File.Exists(path)) throw failure; // not a lock held: the folder cannot be written
        heldBy = Inspect(path)?.Holder;
        return null;
    }

    /// <summary>The state of a cell's lock, or null when it is not locked.</summary>
    public static LockState? Read(string cellDirectory) => Inspect(PathOf(cellDirectory));

    private static LockState? Inspect(string path)
    {
        DateTime heartbeat;
        string text;
        try
        {
            heartbeat = File.GetLastWriteTimeUtc(path);
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        if (!File.Exists(path)) return null;
        LockHolder? holder;
        try
        {
            holder = JsonSerializer.Deserialize<LockHolder>(text);
        }
        catch (JsonException)
        {
            holder = null; // being written right now, or torn by a crash: only the heartbeat can tell
        }
        bool fresh = DateTime.UtcNow - heartbeat < Lease;
        bool live = holder is null || holder.Host != Environment.MachineName ? fresh : ProcessAlive(holder);
        return new LockState(holder, live, heartbeat);
    }

    /// <summary>
    /// Whether the holder ran on another host as a Slurm job that Slurm no longer runs: a task killed with its node (or
    /// by SIGKILL) leaves a lock with a fresh heartbeat, and its resubmission need not wait out the lease.
    /// </summary>
    private static bool SlurmJobEnded(LockHolder? holder)
    {
        if (holder?.SlurmJob is not { } job || holder.Host == Environment.MachineName || SlurmClient.Find("squeue") is null) return false;
        try
        {
            var output = SlurmClient.Run("squeue", ["-h", "-j", job, "-o", "%T"], timeoutSeconds: 30);
            if (!output.Ok) return output.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase); // purged: long ended
            return output.Text.Trim() is "" or "COMPLETED" or "CANCELLED" or "FAILED" or "TIMEOUT" or "PREEMPTED" or "NODE_FAIL" or "OUT_OF_MEMORY" or "BOOT_FAIL" or "DEADLINE";
        }
        catch (SlurmException)
        {
            return false; // Slurm cannot tell: the lease decides
        }
    }

    /// <summary>Whether the holder's process still runs on this host (the pid exists and started when the holder did).</summary>
    private static bool ProcessAlive(LockHolder holder)
    {
        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            if (process.HasExited) return false;
            return Math.Abs((process.StartTime.ToUniversalTime() - holder.ProcessStart).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>
    /// Removes a stale lock file. Breakers take turns through a second exclusive file (<c>lock.json.break</c>) and
    /// delete the lock only if it is still the one judged stale, so a lock taken meanwhile is never removed; a break
    /// file left by a breaker that died in that short window is itself stale after a minute.
    /// </summary>
    private static void BreakStale(string path, LockState stale)
    {
        var breaking = path + ".break";
        try
        {
            new FileStream(breaking, FileMode.CreateNew, FileAccess.Write, FileShare.None).Dispose();
        }
        catch (IOException) when (File.Exists(breaking))
        {
            if (DateTime.UtcNow - File.GetLastWriteTimeUtc(breaking) > TimeSpan.FromMinutes(1)) File.Delete(breaking);
            else Thread.Sleep(20); // another process is breaking it: look again shortly
            return;
        }
        try
        {
            var now = Inspect(path);
            if (now is not null && (!now.Live || SlurmJobEnded(now.Holder)) && now.Holder?.Token == stale.Holder?.Token) File.Delete(path);
        }
        finally
        {
            File.Delete(breaking);
        }
    }

    private void Beat()
    {
        if (Volatile.Read(ref _released) != 0) return;
        try
        {
            File.SetLastWriteTimeUtc(Path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A transient filesystem error costs one heartbeat; the lease outlasts several.
        }
    }

    /// <summary>Whether the lock file is still this process's (it could only be lost after a pause longer than the lease).</summary>
    public bool StillHeld()
    {
        try
        {
            return JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(Path))?.Token == Holder.Token;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return false;
        }
    }

    /// <summary>Releases the lock (removes the file if it is still this process's).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        lock (Held) Held.Remove(this);
        _heartbeat.Dispose();
        if (StillHeld()) File.Delete(Path);
    }
}
