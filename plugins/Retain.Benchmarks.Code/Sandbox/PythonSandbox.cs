using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Retain.Benchmarks.Code.Sandbox;

/// <summary>
/// Runs untrusted Python programs, one fresh sandbox each: <c>python3 -I -B</c> runs a trusted harness
/// (<c>harness.py</c>, the job on stdin) that confines the sandbox and starts a second, fresh interpreter
/// (<c>runner.py</c>) for the program, which it executes the way HF <c>code_eval</c> does.
/// <list type="bullet">
/// <item>The verdict: the harness writes "&lt;token&gt; &lt;outcome&gt;" to its stdout, which only the host reads. The
/// runner is not a fork of the harness (the token never enters its memory), does not inherit that stdout (its own
/// output goes to the host's capped stderr), and cannot reach the harness through /proc or ptrace (the harness is
/// non-dumpable and the runner has another uid or no capabilities). The runner reports its outcome on a pipe in two
/// phases: after the program's top-level code it asks for a fresh nonce, runs the tests, and writes
/// "&lt;nonce&gt; &lt;outcome&gt;"; anything before the request, a second line, or a line without the nonce means
/// the program wrote to the pipe, and is a failure (see the Code plugin README for what this does not stop).</item>
/// <item>Namespaces (when <c>unshare</c> works): <c>unshare --net --pid --fork --kill-child --mount-proc</c>
/// (plus <c>--user --map-root-user</c> when not root). No network (an empty network namespace); a private /proc
/// showing only the sandbox's processes; every mount read-only, with private tmpfs over /tmp, /var/tmp and /dev/shm,
/// so nothing the program writes outlives it; killing the process kills the namespace's init and so every process in
/// it.</item>
/// <item>Always: a clean environment (PATH, LANG, HOME only); when running as real root, an unprivileged uid for the
/// program (root ignores RLIMIT_NPROC and may write anywhere), otherwise no capabilities; RLIMIT_AS, RLIMIT_NPROC,
/// RLIMIT_FSIZE, RLIMIT_CPU, RLIMIT_CORE=0; a wall-clock kill of the whole tree at timeout + 1 s; output read up to
/// a cap, then the process is killed; a temporary working directory deleted afterwards.</item>
/// </list>
/// </summary>
public sealed partial class PythonSandbox
{
    private static readonly Lazy<string> Harness = new(() => Resource("harness.py"));
    private static readonly Lazy<string> Runner = new(() => Resource("runner.py"));

    private static string Resource(string name)
    {
        using var stream = typeof(PythonSandbox).Assembly.GetManifestResourceStream("Retain.Benchmarks.Code." + name)
            ?? throw new InvalidOperationException($"The sandbox's {name} is missing from the plugin assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static readonly object ProbeLock = new();
    private static readonly Dictionary<string, bool> ProbeCache = [];

    private readonly SandboxOptions _options;
    private readonly string _python;
    private readonly string[] _prefix;

    /// <summary>Resolves the interpreter and the isolation mode; throws when a required mode is unavailable.</summary>
    public PythonSandbox(SandboxOptions options)
    {
        _options = options;
        _python = ResolvePython(options.Python);
        IsRoot = geteuid() == 0;
        string[] namespaces = IsRoot
            ? ["--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
            : ["--user", "--map-root-user", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"];
        bool useNamespaces = options.Isolation switch
        {
            SandboxIsolation.ProcessOnly => false,
            SandboxIsolation.Namespaces => UnshareWorks(namespaces)
                ? true
                : throw new InvalidOperationException("Sandbox isolation 'namespaces' was requested but 'unshare " + string.Join(' ', namespaces) +
                    " true' does not work here (util-linux missing, or user namespaces disabled). Use Isolation=processonly to accept the weaker fallback."),
            _ => UnshareWorks(namespaces),
        };
        UsesNamespaces = useNamespaces;
        _prefix = useNamespaces ? ["unshare", .. namespaces, "--"] : [];
    }

    /// <summary>Whether programs run in network, PID and mount namespaces.</summary>
    public bool UsesNamespaces { get; }

    /// <summary>Whether this process is root (programs then run as <see cref="SandboxOptions.SandboxUid"/>).</summary>
    public bool IsRoot { get; }

    /// <summary>The interpreter used.</summary>
    public string Python => _python;

    /// <summary>A one-line description of the confinement, for records and logs.</summary>
    public string Description =>
        (UsesNamespaces ? "namespaces(net,pid,mount" + (IsRoot ? "" : ",user") + "), read-only mounts" : "process-only") +
        (IsRoot ? (_options.SandboxUid > 0 ? $", uid {_options.SandboxUid}" : ", fresh uid per program") : "") +
        $", timeout {_options.TimeoutSeconds}s, as {_options.MemoryMiB}MiB, nproc {_options.MaxProcesses}, fsize {_options.MaxFileMiB}MiB, output {_options.MaxOutputBytes}B";

    /// <summary>Runs many programs, <see cref="SandboxOptions.Workers"/> at a time, results in input order.</summary>
    public IReadOnlyList<ExecutionResult> RunAll(IReadOnlyList<CodeProgram> programs, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var results = new ExecutionResult[programs.Count];
        int done = 0;
        int workers = _options.Workers > 0 ? _options.Workers : Environment.ProcessorCount;
        Parallel.For(0, programs.Count, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = cancellationToken }, i =>
        {
            results[i] = Run(programs[i], cancellationToken);
            progress?.Report(Interlocked.Increment(ref done));
        });
        return results;
    }

    /// <summary>Runs one program to its outcome.</summary>
    public ExecutionResult Run(CodeProgram program, CancellationToken cancellationToken = default)
    {
        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant();
        int uid = _options.SandboxUid > 0 ? _options.SandboxUid : FreshUidBase + RandomNumberGenerator.GetInt32(FreshUidRange);
        var workDir = Directory.CreateTempSubdirectory("retain-sandbox-");
        try
        {
            return Execute(program, token, uid, workDir.FullName, cancellationToken);
        }
        finally
        {
            // Without a PID namespace a double-forked child escapes the tree kill; as root it still has its own uid.
            if (IsRoot && !UsesNamespaces && _options.SandboxUid == 0) KillUid(uid);
            DeleteQuietly(workDir.FullName);
        }
    }

    private const int FreshUidBase = 2_000_000_000;
    private const int FreshUidRange = 100_000_000;

    private ExecutionResult Execute(CodeProgram program, string token, int uid, string workDir, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            FileName = _prefix.Length > 0 ? _prefix[0] : _python,
            WorkingDirectory = workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in _prefix.Skip(1)) start.ArgumentList.Add(arg);
        if (_prefix.Length > 0) start.ArgumentList.Add(_python);
        // The token is on stdin, never on a command line: the program could read that in /proc.
        foreach (var arg in new[] { "-I", "-B", "-c", Harness.Value, "retain-sandbox-harness" }) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        start.Environment["LANG"] = "C.UTF-8";
        start.Environment["HOME"] = workDir;
        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        start.Environment["MKL_NUM_THREADS"] = "1";

        string job = JsonSerializer.Serialize(new
        {
            token,
            program = program.Code,
            tests = program.Tests,
            runner = Runner.Value,
            timeout = _options.TimeoutSeconds,
            drop_to = uid,
            private_mounts = UsesNamespaces,
            limits = new
            {
                memory = (long)_options.MemoryMiB << 20,
                processes = _options.MaxProcesses,
                file_size = (long)_options.MaxFileMiB << 20,
                cpu_seconds = (int)Math.Ceiling(_options.TimeoutSeconds) + 1,
            },
        });

        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot start the code sandbox ({start.FileName}): {e.Message}", e);
        }
        var output = new OutputCapture(_options.MaxOutputBytes, () => Kill(process));
        var stdout = output.PumpAsync(process.StandardOutput.BaseStream, isStdout: true);
        var stderr = output.PumpAsync(process.StandardError.BaseStream, isStdout: false);
        try
        {
            var bytes = new UTF8Encoding(false).GetBytes(job);
            process.StandardInput.BaseStream.Write(bytes);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process died before reading its job; its outcome says why.
        }

        int hardLimitMs = (int)(_options.TimeoutSeconds * 1000) + 1000;
        bool exited = WaitForExit(process, hardLimitMs, cancellationToken);
        if (!exited) Kill(process);
        process.WaitForExit();
        clock.Stop();
        // A process that escaped the tree could hold the pipes open: wait briefly, never forever.
        Task.WaitAll([stdout, stderr], TimeSpan.FromSeconds(2));
        cancellationToken.ThrowIfCancellationRequested();

        string outcome = output.FindOutcome(token)
            ?? (output.Exceeded ? "failed: output limit exceeded"
                : !exited ? "timed out"
                : $"failed: no result (exit code {process.ExitCode})");
        if (outcome.StartsWith("error: ", StringComparison.Ordinal))
        {
            // Confinement itself failed: the harness refused to run the program. Never count that as a wrong answer.
            throw new InvalidOperationException($"The code sandbox could not confine a program ({Description}): {outcome[7..]}");
        }
        return new ExecutionResult(outcome == "passed", outcome, clock.Elapsed, output.StderrTail);
    }

    private static bool WaitForExit(Process process, int milliseconds, CancellationToken cancellationToken)
    {
        var deadline = Environment.TickCount64 + milliseconds;
        while (true)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0) return process.HasExited;
            if (process.WaitForExit((int)Math.Min(left, 100))) return true;
            if (cancellationToken.IsCancellationRequested) return false;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Raced with its exit.
        }
    }

    private static void DeleteQuietly(string path)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static bool UnshareWorks(string[] flags)
    {
        string key = string.Join(' ', flags);
        lock (ProbeLock)
        {
            if (ProbeCache.TryGetValue(key, out bool known)) return known;
            bool works;
            try
            {
                var start = new ProcessStartInfo("unshare") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (var f in flags) start.ArgumentList.Add(f);
                start.ArgumentList.Add("--");
                start.ArgumentList.Add("true");
                using var probe = Process.Start(start)!;
                works = probe.WaitForExit(5000) && probe.ExitCode == 0;
                if (!probe.HasExited) probe.Kill(entireProcessTree: true);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                works = false;
            }
            ProbeCache[key] = works;
            return works;
        }
    }

    private static string ResolvePython(string configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Contains('/'))
            {
                return File.Exists(configured) ? configured : throw new InvalidOperationException($"Sandbox python '{configured}' does not exist.");
            }
            return FindOnPath(configured) ?? throw new InvalidOperationException($"Sandbox python '{configured}' is not on PATH.");
        }
        // A system interpreter first: a root sandbox drops to 'nobody', which cannot read interpreters under /root.
        if (File.Exists("/usr/bin/python3")) return "/usr/bin/python3";
        return FindOnPath("python3") ?? throw new InvalidOperationException(
            "No python3 for the code sandbox: looked for /usr/bin/python3 and python3 on PATH. Install python3 or set the sandbox's Python option.");
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>SIGKILLs every process whose real uid is <paramref name="uid"/>, until none is left (bounded).</summary>
    private static void KillUid(int uid)
    {
        string needle = $"Uid:\t{uid}\t";
        for (int round = 0; round < 50; round++)
        {
            var pids = new List<int>();
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "status")).Contains(needle, StringComparison.Ordinal)) pids.Add(pid);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Exited meanwhile.
                }
            }
            if (pids.Count == 0) return;
            foreach (var pid in pids) kill(pid, 19); // SIGSTOP first, so a forking process cannot outrun the sweep.
            foreach (var pid in pids) kill(pid, 9);
            Thread.Sleep(20);
        }
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
