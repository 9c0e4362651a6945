using System.Runtime.InteropServices;

namespace Retain.Hosting.Lifetime;

/// <summary>
/// Makes a process that ends in the middle of its work say so. Work is marked with <see cref="Begin"/>; when the
/// process exits while any is open — a plugin calling <c>Environment.Exit(0)</c> in its registration or during
/// training, say — the exit hook prints what was interrupted, lets each open piece of work record it (the sweep
/// writes it into its folder, so the next <c>retain run</c> reports it), and turns the exit code into
/// <see cref="ExitCode"/>, so a command that did not finish never looks finished. An interrupt (SIGINT) is the
/// other way a process ends early: <see cref="Interrupt"/> prints how to resume and exits with 130.
/// </summary>
public static class UnfinishedWork
{
    /// <summary>The exit code of a process that ended with work unfinished.</summary>
    public const int ExitCode = 1;

    /// <summary>The exit code after SIGINT (128 + 2, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>What an interrupted command prints.</summary>
    public const string InterruptedMessage = "interrupted; run the same command again to resume";

    private static readonly object Gate = new();
    private static readonly List<Work> Open = [];
    private static TextWriter _error = Console.Error;
    private static int _installed;
    private static int _ending;

    /// <summary>Installs the process-exit and SIGINT hooks (once per process); messages go to <paramref name="error"/>.</summary>
    public static void Install(TextWriter error)
    {
        _error = error;
        if (Interlocked.Exchange(ref _installed, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => OnProcessExit();
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            Interrupt();
        });
    }

    private static PosixSignalRegistration? _interrupt;

    /// <summary>Marks work in progress until the result is disposed.</summary>
    /// <param name="what">What is being done, as it reads after "while": "training talr_lr1e-05_s42".</param>
    /// <param name="record">Called with the message when the process ends before the work does (e.g. to write it into a sweep folder).</param>
    public static IDisposable Begin(string what, Action<string>? record = null)
    {
        var work = new Work(what, record);
        lock (Gate) Open.Add(work);
        return work;
    }

    /// <summary>Prints <see cref="InterruptedMessage"/> and exits with <see cref="InterruptedExitCode"/>. What was open stays resumable.</summary>
    public static void Interrupt()
    {
        if (Interlocked.Exchange(ref _ending, 1) == 1) return;
        Write(InterruptedMessage);
        Environment.Exit(InterruptedExitCode);
    }

    private static void OnProcessExit()
    {
        Work[] open;
        lock (Gate) open = [.. Open];
        if (open.Length == 0 || Interlocked.Exchange(ref _ending, 1) == 1) return;
        var innermost = open[^1];
        string message = $"the process was ended (exit code {Environment.ExitCode}) while {innermost.What}, before that work finished: " +
                         "something in the process called Environment.Exit (a plugin?). Nothing of the unfinished work counts as done.";
        foreach (var work in open.Reverse())
        {
            try
            {
                work.Record?.Invoke(message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the message below still says what happened.
            }
        }
        Write("error: " + message);
        // The runtime reads the exit code after the exit handlers, so this replaces the 0 Environment.Exit(0) asked for.
        Environment.ExitCode = ExitCode;
    }

    private static void Write(string line)
    {
        try
        {
            _error.WriteLine(line);
            _error.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private sealed class Work(string what, Action<string>? record) : IDisposable
    {
        public string What { get; } = what;

        public Action<string>? Record { get; } = record;

        public void Dispose()
        {
            lock (Gate) Open.Remove(this);
        }
    }
}
