using Retain.Hosting.Runs;

namespace Retain.Hosting.Tests.Runs;

public class SweepProgressTests
{
    [Fact]
    public void Progress_says_run_k_of_n_and_estimates_the_time_left_from_the_runs_trained_so_far()
    {
        var now = TimeSpan.Zero;
        var progress = new SweepProgress(6, () => now);

        progress.Describe().ShouldBe("run 1 of 6"); // no estimate before a run finished
        progress.Finished(skipped: true);           // a finished run found again takes no time and does not count
        progress.Started();
        now += TimeSpan.FromSeconds(30);
        progress.Finished(skipped: false);
        progress.Describe().ShouldBe("run 3 of 6, about 2 min 0 s left");
        progress.Started();
        now += TimeSpan.FromSeconds(10);
        progress.Finished(skipped: false);
        progress.Remaining.ShouldBe(TimeSpan.FromSeconds(60)); // mean 20 s × 3 runs left
        progress.Describe().ShouldBe("run 4 of 6, about 1 min 0 s left");
        for (int i = 0; i < 3; i++)
        {
            progress.Started();
            progress.Finished(skipped: false);
        }
        progress.Describe().ShouldBe("run 6 of 6"); // done: nothing left to estimate
    }
}
