using Retain.Datasets.Extraction;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>
/// One of lm-eval's GSM8K filter pipelines: its name (the metric key, e.g. <c>strict-match</c>) and its
/// <see cref="RegexFilter"/> (shared with the math domain datasets, so the benchmark and the domain grade alike).
/// </summary>
/// <param name="Name">The filter's name, used in metric keys.</param>
/// <param name="Filter">The extraction.</param>
public sealed record NamedFilter(string Name, RegexFilter Filter)
{
    /// <summary>The extracted answer, or <see cref="RegexFilter.Invalid"/>.</summary>
    public string Apply(string response) => Filter.Apply(response);
}
