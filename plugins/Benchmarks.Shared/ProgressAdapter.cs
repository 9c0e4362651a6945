namespace Retain.Benchmarks;

/// <summary>Turns the model's "items done" reports into the context's (done, total) progress.</summary>
internal sealed class ProgressAdapter(IProgress<(int Done, int Total)>? target, int total, int offset = 0) : IProgress<int>
{
    /// <summary>Reports <paramref name="value"/> items done in the current call, plus the offset of earlier calls.</summary>
    public void Report(int value) => target?.Report((offset + value, total));
}
