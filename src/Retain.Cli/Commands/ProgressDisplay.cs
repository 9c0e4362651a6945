using Spectre.Console;

namespace Retain.Cli.Commands;

/// <summary>Shows item progress of a long evaluation: a progress bar on a terminal, periodic lines on stderr otherwise.</summary>
public static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, showing the progress it reports.</summary>
    public static T Run<T>(CliConsole console, string label, Func<IProgress<(int Done, int Total)>, T> work)
    {
        if (!console.IsTerminal)
        {
            var last = DateTime.MinValue;
            return work(new Progress<(int Done, int Total)>(p =>
            {
                if (DateTime.UtcNow - last < TimeSpan.FromSeconds(10) && p.Done != p.Total) return;
                last = DateTime.UtcNow;
                console.Error.WriteLine($"{label}: {p.Done}/{p.Total}");
            }));
        }
        T result = default!;
        AnsiConsole.Progress().AutoClear(true).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: 1);
                result = work(new SynchronousProgress<(int Done, int Total)>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = p.Done;
                }));
            });
        return result;
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SynchronousProgress<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }
}
