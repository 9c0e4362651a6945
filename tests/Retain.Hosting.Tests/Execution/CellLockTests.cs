using System.Diagnostics;
using System.Text.Json;
using Retain.Hosting.Execution;
using Retain.Testing;

namespace Retain.Hosting.Tests.Execution;

/// <summary>The per-cell lock: one holder at a time, named in the refusal; stale locks are taken over, live ones never.</summary>
public class CellLockTests
{
    private static void WriteLock(string cell, LockHolder holder, DateTime heartbeat)
    {
        Directory.CreateDirectory(cell);
        var path = CellLock.PathOf(cell);
        File.WriteAllText(path, JsonSerializer.Serialize(holder));
        File.SetLastWriteTimeUtc(path, heartbeat);
    }

    private static int ExitedPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    [Fact]
    public void A_held_cell_is_refused_with_the_holders_pid_and_host_and_is_free_again_once_released()
    {
        using var temp = new TempFolder();
        var cell = Path.Combine(temp.Path, "standard_lr1e-03_s3");
        using (var first = CellLock.TryAcquire(cell, out _))
        {
            first.ShouldNotBeNull();
            CellLock.TryAcquire(cell, out var holder).ShouldBeNull();
            holder.ShouldNotBeNull();
            holder.Pid.ShouldBe(Environment.ProcessId);
            holder.Host.ShouldBe(Environment.MachineName);
            holder.ToString().ShouldStartWith($"pid {Environment.ProcessId} on host {Environment.MachineName}");
            CellLock.Read(cell)!.Live.ShouldBeTrue();
        }
        File.Exists(CellLock.PathOf(cell)).ShouldBeFalse();
        using var again = CellLock.TryAcquire(cell, out _);
        again.ShouldNotBeNull();
    }

    [Fact]
    public void A_lock_left_by_a_dead_process_on_this_host_is_taken_over_at_once()
    {
        using var temp = new TempFolder();
        var cell = Path.Combine(temp.Path, "cell");
        WriteLock(cell, new LockHolder { Pid = ExitedPid(), Host = Environment.MachineName, ProcessStart = DateTime.UtcNow, Since = DateTime.UtcNow, Token = "dead" }, DateTime.UtcNow);
        CellLock.Read(cell)!.Live.ShouldBeFalse();
        using var taken = CellLock.TryAcquire(cell, out _);
        taken.ShouldNotBeNull();
        taken.StillHeld().ShouldBeTrue();
    }

    [Fact]
    public void A_lock_whose_pid_now_belongs_to_another_process_is_stale()
    {
        using var temp = new TempFolder();
        var cell = Path.Combine(temp.Path, "cell");
        // This process's pid, but a start time an hour earlier: the holder died and the pid was reused.
        using var self = Process.GetCurrentProcess();
        WriteLock(cell, new LockHolder { Pid = Environment.ProcessId, Host = Environment.MachineName, ProcessStart = self.StartTime.ToUniversalTime().AddHours(-1), Token = "reused" }, DateTime.UtcNow);
        using var taken = CellLock.TryAcquire(cell, out _);
        taken.ShouldNotBeNull();
    }

    [Fact]
    public void A_lock_from_another_host_holds_while_its_heartbeat_is_fresh_and_is_taken_after_the_lease()
    {
        using var temp = new TempFolder();
        var cell = Path.Combine(temp.Path, "cell");
        var remote = new LockHolder { Pid = 4242, Host = "node-elsewhere", ProcessStart = DateTime.UtcNow, Since = DateTime.UtcNow, Token = "remote" };
        WriteLock(cell, remote, DateTime.UtcNow);
        CellLock.TryAcquire(cell, out var holder).ShouldBeNull();
        holder!.ToString().ShouldStartWith("pid 4242 on host node-elsewhere since");
        (holder with { SlurmJob = "77_3" }).ToString().ShouldStartWith("pid 4242 on host node-elsewhere (Slurm job 77_3) since");

        WriteLock(cell, remote, DateTime.UtcNow - CellLock.Lease - TimeSpan.FromSeconds(5));
        using var taken = CellLock.TryAcquire(cell, out _);
        taken.ShouldNotBeNull();
    }

    [Fact]
    public void Many_takers_of_one_stale_lock_end_with_exactly_one_holder()
    {
        using var temp = new TempFolder();
        for (int round = 0; round < 20; round++)
        {
            var cell = Path.Combine(temp.Path, $"cell{round}");
            WriteLock(cell, new LockHolder { Pid = 4242, Host = "node-elsewhere", Token = "stale" }, DateTime.UtcNow - CellLock.Lease - TimeSpan.FromMinutes(1));
            using var start = new Barrier(8);
            var taken = new CellLock?[8];
            var errors = new Exception?[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    taken[i] = CellLock.TryAcquire(cell, out _);
                }
                catch (Exception e)
                {
                    errors[i] = e;
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            errors.OfType<Exception>().FirstOrDefault().ShouldBeNull();
            var holders = taken.OfType<CellLock>().ToList();
            holders.Count.ShouldBe(1, $"round {round}");
            holders[0].StillHeld().ShouldBeTrue();
            holders[0].Dispose();
        }
    }
}
