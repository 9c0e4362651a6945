using System.Diagnostics;
using Retain.Hosting.Configuration;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>How many cells run at once on this machine, and on which devices.</summary>
/// <param name="Processes">Cells at once, each in its own process.</param>
/// <param name="Devices">CUDA device ordinals the processes are pinned to (round robin); empty for the CPU.</param>
public sealed record ParallelSettings(int Processes, IReadOnlyList<int> Devices);

/// <summary>
/// The local executor with <c>--parallel N</c>: up to N cells at once, each a <c>retain run CONFIG --cell ID</c>
/// process sharing the sweep folder. A CUDA process sees only its device (<c>CUDA_VISIBLE_DEVICES</c>); a CPU process
/// gets an equal share of the cores (<c>DOTNET_PROCESSOR_COUNT</c>, which sizes the CPU backend's workers). The Init
/// evaluation is the first cell started. Cells held by other live processes are left to them. Each child's output
/// lines are passed on as they come; the report is written when all have ended.
/// </summary>
public static class LocalParallelExecutor
{
    /// <summary>Checks <paramref name="settings"/> against the configured device; returns what each slot's process gets.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Slots(string device, ParallelSettings settings, string configFile)
    {
        if (settings.Processes < 1) throw new ArgumentException("--parallel must be at least 1.");
        bool cuda = device.StartsWith("cuda", StringComparison.OrdinalIgnoreCase);
        if (!cuda && settings.Devices.Count > 0)
            throw new ConfigurationException([new ConfigurationError(configFile, "device", $"--devices pins processes to CUDA devices, but the device is '{device}'; on the CPU each process gets a share of the cores.")]);
        if (cuda && !device.Equals("cuda", StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException([new ConfigurationError(configFile, "device", $"with --parallel use device 'cuda' (each process sees its one device as cuda:0), not '{device}'; choose devices with --devices.")]);
        var slots = new List<IReadOnlyDictionary<string, string>>();
        var devices = settings.Devices.Count > 0 ? settings.Devices : Enumerable.Range(0, settings.Processes).ToList();
        int share = Math.Max(1, Environment.ProcessorCount / settings.Processes);
        for (int slot = 0; slot < settings.Processes; slot++)
        {
            slots.Add(cuda
                ? new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = devices[slot % devices.Count].ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = share.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        return slots;
    }

    /// <summary>Where a <c>--parallel</c> parent records itself (a lock file like a cell's).</summary>
    public static string ExecutorDirectory(string sweepDirectory) => Path.Combine(sweepDirectory, "executor");

    /// <summary>Runs the sweep's unfinished cells in child processes; returns what the sweep folder holds afterwards.</summary>
    public static SweepOutcome Run(BoundRunConfig bound, SweepOptions options, ParallelSettings settings, RetainInvocation invocation, Action<string> output)
    {
        var slots = Slots(bound.Config.Device, settings, bound.Configuration.FilePath);
        var plan = SweepRunner.Start(bound, options.Force);
        // Names this parent for 'retain cancel', which stops it with its children (another parent may share the folder).
        using var parent = CellLock.TryAcquire(ExecutorDirectory(plan.Directory), out _);
        var held = new List<string>();
        var queue = new Queue<string>();
        if (!InitialEvaluation.IsDone(plan)) queue.Enqueue(SweepCells.Init);
        foreach (var spec in SweepRunner.Selected(plan, options.Only))
        {
            var directory = Path.Combine(plan.Directory, spec.Name);
            if (CellRunner.Finished(directory, spec) is { } done)
            {
                output($"[{spec.Name}] already finished ({done.Status}); skipped");
                continue;
            }
            if (CellLock.Read(directory) is { Live: true } state)
            {
                output($"[{spec.Name}] is being run by {state.Holder?.ToString() ?? "another process"}; left to it");
                held.Add($"{spec.Name}: {state.Holder}");
                continue;
            }
            queue.Enqueue(spec.Name);
        }

        var running = new Dictionary<int, (string Cell, Process Process)>();
        var failures = new List<string>();
        var gate = new object();
        void Emit(string? line)
        {
            if (line is null) return;
            lock (gate) output(line);
        }
        while (queue.Count > 0 || running.Count > 0)
        {
            for (int slot = 0; slot < slots.Count && queue.Count > 0; slot++)
            {
                if (running.ContainsKey(slot)) continue;
                var cell = queue.Dequeue();
                var start = RetainInvocation.Start(invocation.ForCell(cell));
                foreach (var (key, value) in slots[slot]) start.Environment[key] = value;
                var process = new Process { StartInfo = start };
                // A child's sweep-wide lines (loading data, the model) are its cell's here.
                process.OutputDataReceived += (_, e) => Emit(e.Data is { } line && line.StartsWith("[sweep] ", StringComparison.Ordinal) ? $"[{cell}] {line[8..]}" : e.Data);
                process.ErrorDataReceived += (_, e) => Emit(e.Data is null ? null : $"[{cell}] {e.Data}");
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                Emit($"[{cell}] started in pid {process.Id} ({string.Join(", ", slots[slot].Select(p => $"{p.Key}={p.Value}"))})");
                running[slot] = (cell, process);
            }
            foreach (var (slot, (cell, process)) in running.ToList())
            {
                if (!process.WaitForExit(100)) continue;
                process.WaitForExit(); // drains the output events
                // 0: done; 1: the cell failed (recorded in its result.json) or was held; anything else: the process died.
                if (process.ExitCode is not (0 or 1)) failures.Add($"{cell}: its process exited with code {process.ExitCode}");
                process.Dispose();
                running.Remove(slot);
            }
        }
        foreach (var failure in failures) output($"[sweep] {failure}; run the same command again to resume it");
        output("[sweep] writing the report");
        var outcome = SweepRunner.Finish(plan.Directory, held);
        return outcome with { HeldElsewhere = [.. held, .. failures] };
    }
}
