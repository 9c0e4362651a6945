using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Retain.Benchmarks.Code.Sandbox;

namespace Retain.Benchmarks.Tests.Code;

/// <summary>
/// Hostile programs must neither hang the run, nor escape, nor forge their verdict. The limits are tested by their
/// effect (the outcome, what is left behind), never by how long a run took.
/// </summary>
[Collection("sandbox")]
public class SandboxTests
{
    private static readonly SandboxOptions Fast = new() { TimeoutSeconds = 1.0, MaxOutputBytes = 1 << 16, Workers = 2 };
    private readonly PythonSandbox _sandbox = new(Fast);

    /// <summary>Runs one program. The guard only turns a hang (the sandbox's own kill failing) into a failure instead of a stuck test run.</summary>
    private ExecutionResult Run(string program) => RunGuarded(() => _sandbox.Run(new CodeProgram(program, "")));

    private static ExecutionResult RunGuarded(Func<ExecutionResult> run)
    {
        var task = Task.Run(run);
        task.Wait(TimeSpan.FromMinutes(2)).ShouldBeTrue("the sandbox never returned: its timeout kill did not work");
        return task.Result;
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hostile", name));

    [Fact]
    public void A_correct_program_passes_and_a_failing_assert_fails()
    {
        Run("def f(x):\n    return x * 2\nassert f(21) == 42\n").Outcome.ShouldBe("passed");
        var failed = Run("assert 1 + 1 == 3, 'arithmetic'\n");
        failed.Passed.ShouldBeFalse();
        failed.Outcome.ShouldBe("failed: arithmetic");
    }

    [Fact]
    public void Programs_run_like_code_eval_with_empty_globals_and_swallowed_io()
    {
        // __name__ resolves to builtins', so a __main__ guard is skipped; SystemExit counts as failure; stdin raises.
        Run("ran = False\nif __name__ == '__main__':\n    raise AssertionError('main ran')\nprint('hello')\n").Outcome.ShouldBe("passed");
        Run("raise SystemExit(0)\n").Passed.ShouldBeFalse();
        Run("input()\n").Passed.ShouldBeFalse();
    }

    [Fact]
    public void An_infinite_loop_times_out()
    {
        var result = Run("while True:\n    pass\n");
        result.Outcome.ShouldBe("timed out");
    }

    [Fact]
    public void A_loop_that_swallows_the_timer_is_killed()
    {
        var result = Run("while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass\n");
        result.Passed.ShouldBeFalse();
        result.Outcome.ShouldBe("timed out");
    }

    [Fact]
    public void A_fork_bomb_is_contained_and_leaves_no_process_behind()
    {
        // os.fork is disabled by the guard; posix.fork is the same call and bypasses it, so this tests the OS limits:
        // RLIMIT_NPROC stops the forking, the timer (or the kill after it) ends the program, and nothing survives it.
        var result = Run("import posix\nwhile True:\n    try:\n        posix.fork()\n    except OSError:\n        pass\n");
        result.Passed.ShouldBeFalse();
        result.Outcome.ShouldBe("timed out");
        WaitForNoLeftovers().ShouldBeEmpty();
    }

    [Fact]
    public void A_hostile_program_cannot_forge_its_verdict()
    {
        // It hunts for the result token (command lines, environments, its own memory) and writes "<token> passed"
        // to every file descriptor it has or can open through /proc, then answers wrongly.
        var forged = Run(Fixture("forge_verdict.py"));
        forged.Passed.ShouldBeFalse(forged.Outcome);
        forged.Outcome.ShouldBe("failed: the program wrote to the harness's report channel before its tests ran");

        // Ending the interpreter before the tests run is no result, not a pass.
        Run("import posix\nposix._exit(0)\nassert False\n").Outcome.ShouldBe("failed: no result (exit code 0)");
        Run("import posix, signal\nposix.kill(posix.getpid(), signal.SIGTERM)\n").Outcome.ShouldBe("failed: killed by signal SIGTERM");
    }

    [Fact]
    public void A_program_that_reports_passed_and_exits_before_its_tests_run_fails()
    {
        // It writes "passed" and "<guessed nonce> passed" to every descriptor during its top-level code and exits 0,
        // so the tests (which would fail) never run; the nonce did not exist in the runner yet.
        var program = new CodeProgram(Fixture("pass_before_tests.py"), "\nassert add(2, 3) == 5, 'wrong answer'\n");
        var result = RunGuarded(() => _sandbox.Run(program));
        result.Passed.ShouldBeFalse(result.Outcome);
        result.Outcome.ShouldBe("failed: the program wrote to the harness's report channel before its tests ran");

        // The same program without its forgery is judged by its tests, in the globals its code made.
        var honest = new CodeProgram("def add(a, b):\n    return a - b\n", program.Tests);
        RunGuarded(() => _sandbox.Run(honest)).Outcome.ShouldBe("failed: wrong answer");
        RunGuarded(() => _sandbox.Run(honest with { Code = "def add(a, b):\n    return a + b\n" })).Outcome.ShouldBe("passed");
    }

    [Fact]
    public void Program_and_tests_run_as_their_concatenation()
    {
        // A syntax error in the tests runs nothing (the program's exit would otherwise be its outcome), __future__
        // flags of the program reach the tests, and a program whose last statement runs into the tests is refused.
        Run2("import posix\nposix._exit(0)\n", "\nassert (\n").Outcome.ShouldBe("failed: '(' was never closed (<string>, line 4)");
        Run2("from __future__ import annotations\n", "\ndef f(x: undefined_name): pass\nassert f.__annotations__ == {'x': 'undefined_name'}\n").Outcome.ShouldBe("passed");
        Run2("x = [1,\n", "2]\nassert x == [1, 2]\n").Outcome.ShouldBe("failed: the program does not end at a top-level statement boundary before its tests");
    }

    private ExecutionResult Run2(string code, string tests) => RunGuarded(() => _sandbox.Run(new CodeProgram(code, tests)));

    [Fact]
    public void Nothing_a_program_writes_to_a_world_writable_place_persists_on_the_host()
    {
        _sandbox.UsesNamespaces.ShouldBeTrue("unshare is expected to work on this machine");
        string marker = "retain-escape-" + Guid.NewGuid().ToString("N");
        // A world-writable folder of the kind /run/user/<uid> is, made for this test.
        string runUser = Path.Combine("/run/user", "retain-test-" + Guid.NewGuid().ToString("N"));
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("the sandbox is Linux-only");
        Directory.CreateDirectory(runUser);
        File.SetUnixFileMode(runUser, (UnixFileMode)0b1_111_111_111); // after creation: the umask would clear the others' bits
        try
        {
            var program = Fixture("write_everywhere.py").Replace("\"MARKER\"", Py(marker)).Replace("EXTRA", $"[{Py(runUser)}]");
            var result = Run(program);
            result.Outcome.ShouldBe("passed");
            string[] places = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/run", "/var", "/dev", "/", "/root", "/etc", runUser,
                               Environment.CurrentDirectory, Path.GetTempPath(), .. Directory.GetDirectories("/run/user")];
            places.Select(p => Path.Combine(p, marker)).Where(Path.Exists).ShouldBeEmpty();
            SandboxDirectories().Where(d => File.Exists(Path.Combine(d, marker))).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(runUser, recursive: true);
        }
    }

    [Fact]
    public void A_daemonised_child_dies_with_the_sandbox()
    {
        var result = Run("import posix, time\nif posix.fork() == 0:\n    posix.setsid()\n    if posix.fork() == 0:\n        time.sleep(30)\n");
        result.Outcome.ShouldBe("passed");
        if (_sandbox.UsesNamespaces) WaitForNoLeftovers().ShouldBeEmpty();
    }

    [Fact]
    public void A_huge_print_is_cut_off_at_the_output_cap()
    {
        var result = Run("import posix\nwhile True:\n    posix.write(1, b'x' * 65536)\n");
        result.Outcome.ShouldBe("failed: output limit exceeded");
        // Python-level prints are swallowed like code_eval's, so they cost nothing.
        Run("print('y' * 10_000_000)\n").Outcome.ShouldBe("passed");
    }

    [Fact]
    public void A_memory_hog_hits_the_address_space_limit()
    {
        var result = Run("b = bytearray(4 * 1024 ** 3)\n");
        result.Outcome.ShouldStartWith("failed");
    }

    [Fact]
    public void Writes_outside_the_working_directory_do_not_land()
    {
        using var dir = new Fakes.TempDir();
        string target = Path.Combine(dir.Path, "escaped.txt");
        string tmpTarget = Path.Combine("/tmp", "retain-escape-" + Guid.NewGuid().ToString("N"));
        var result = Run(
            $"import posix\nfor path in [{Py(target)}, {Py(tmpTarget)}]:\n    try:\n        fd = posix.open(path, posix.O_WRONLY | posix.O_CREAT, 0o666)\n        posix.write(fd, b'pwned')\n        posix.close(fd)\n    except OSError:\n        pass\n" +
            "open('inside.txt', 'w').write('fine')\nassert open('inside.txt').read() == 'fine'\n");
        result.Outcome.ShouldBe("passed");
        File.Exists(target).ShouldBeFalse();
        File.Exists(tmpTarget).ShouldBeFalse();
    }

    [Fact]
    public void Secrets_in_the_parent_environment_are_not_visible()
    {
        const string name = "RETAIN_SANDBOX_TEST_SECRET";
        string secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, secret);
        // A sibling process that really carries the secret in its /proc/<pid>/environ.
        var holderStart = new ProcessStartInfo("sleep", "20") { UseShellExecute = false };
        holderStart.Environment[name] = secret;
        using var holder = Process.Start(holderStart)!;
        try
        {
            var result = Run(
                $"import os, posix\nassert {Py(name)} not in os.environ, 'env leaked'\n" +
                $"for pid in [p for p in posix.listdir('/proc') if p.isdigit()] + [{Py(holder.Id.ToString())}, {Py(Environment.ProcessId.ToString())}]:\n" +
                "    try:\n        data = open('/proc/' + pid + '/environ', 'rb').read()\n    except OSError:\n        continue\n" +
                $"    assert {Py(secret)}.encode() not in data, 'found in /proc/' + pid\n");
            result.Outcome.ShouldBe("passed");
        }
        finally
        {
            holder.Kill();
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void The_network_is_unreachable_even_on_loopback()
    {
        _sandbox.UsesNamespaces.ShouldBeTrue("unshare is expected to work on this machine; without it the sandbox has no network isolation");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var result = Run($"import socket\ns = socket.socket()\ns.settimeout(0.5)\ntry:\n    s.connect(('127.0.0.1', {port}))\n    raise AssertionError('connected')\nexcept OSError:\n    pass\n");
        result.Outcome.ShouldBe("passed");
        listener.Pending().ShouldBeFalse();
    }

    [Fact]
    public void Many_programs_run_in_parallel_in_input_order_and_leave_no_working_directory()
    {
        var before = SandboxDirectories();
        var programs = Enumerable.Range(0, 6).Select(i => i % 2 == 0 ? "open('out.txt', 'w').write('x' * 1000)\n" : "assert False\n").ToList();
        RunAllGuarded(programs).ShouldBe([true, false, true, false, true, false]);
        SandboxDirectories().Except(before).ShouldBeEmpty();
    }

    private List<bool> RunAllGuarded(List<string> programs)
    {
        var task = Task.Run(() => _sandbox.RunAll(programs.Select(p => new CodeProgram(p, "")).ToList()).Select(r => r.Passed).ToList());
        task.Wait(TimeSpan.FromMinutes(2)).ShouldBeTrue("the sandbox never returned");
        return task.Result;
    }

    private static List<string> SandboxDirectories() => Directory.GetDirectories(Path.GetTempPath(), "retain-sandbox-*").ToList();

    [Fact]
    public void The_process_only_fallback_as_root_sweeps_a_daemonised_fork_bomb_by_its_uid()
    {
        var fallback = new PythonSandbox(new SandboxOptions { TimeoutSeconds = 1.0, Isolation = SandboxIsolation.ProcessOnly });
        fallback.UsesNamespaces.ShouldBeFalse();
        fallback.IsRoot.ShouldBeTrue("CI runs as root; as another user the fallback cannot sweep escaped processes (see the Code plugin README)");
        var result = RunGuarded(() => fallback.Run(new CodeProgram("import posix\nif posix.fork() == 0:\n    posix.setsid()\n    while True:\n        try:\n            posix.fork()\n        except OSError:\n            pass\n", "")));
        result.Passed.ShouldBeTrue();
        WaitForNoLeftovers().ShouldBeEmpty();
    }

    private static string Py(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary>The kernel tears a PID namespace down asynchronously: poll briefly before judging.</summary>
    private static List<string> WaitForNoLeftovers()
    {
        var deadline = DateTime.UtcNow.AddSeconds(3);
        List<string> left;
        while ((left = LeftoverSandboxProcesses()).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(50);
        return left;
    }

    private static List<string> LeftoverSandboxProcesses()
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains("retain-sandbox-", StringComparison.Ordinal)) found.Add(dir + ": " + cmdline[..Math.Min(80, cmdline.Length)]);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
