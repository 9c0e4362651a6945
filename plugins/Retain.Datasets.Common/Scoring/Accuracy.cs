using Retain.Data;

namespace Retain.Datasets.Scoring;

/// <summary>Accuracy of verdicts overall and broken down by example metadata.</summary>
public static class Accuracy
{
    /// <summary>Checks that <paramref name="verdicts"/> pairs one-to-one with <paramref name="examples"/>.</summary>
    public static void CheckPairs(IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts)
    {
        if (examples.Count != verdicts.Count)
        {
            throw new ArgumentException($"{examples.Count} examples but {verdicts.Count} verdicts; Summarize needs one verdict per example, in order.");
        }
    }

    /// <summary>The fraction of correct verdicts (0 when there are none).</summary>
    public static double Of(IEnumerable<Verdict> verdicts)
    {
        int n = 0, correct = 0;
        foreach (var verdict in verdicts)
        {
            n++;
            if (verdict.Correct) correct++;
        }
        return n == 0 ? 0 : (double)correct / n;
    }

    /// <summary>
    /// Adds <c>accuracy/{label}={value}</c> and <c>count/{label}={value}</c> for each value of the metadata key
    /// <paramref name="key"/> (examples without it are left out).
    /// </summary>
    public static void AddBreakdown(IDictionary<string, double> details, IReadOnlyList<Example> examples, IReadOnlyList<Verdict> verdicts, string key, string label)
    {
        var groups = Enumerable.Range(0, examples.Count)
            .Where(i => examples[i].Metadata.ContainsKey(key))
            .GroupBy(i => examples[i].Metadata[key], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            details[$"accuracy/{label}={group.Key}"] = Of(group.Select(i => verdicts[i]));
            details[$"count/{label}={group.Key}"] = group.Count();
        }
    }

    /// <summary>
    /// Adds the mean of each per-response metric in <see cref="Verdict.Metrics"/> under its own name (responses
    /// without the metric are left out of its mean).
    /// </summary>
    public static void AddVerdictMetrics(IDictionary<string, double> details, IReadOnlyList<Verdict> verdicts)
    {
        var names = verdicts.SelectMany(v => v.Metrics.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            details[name] = verdicts.Where(v => v.Metrics.ContainsKey(name)).Average(v => v.Metrics[name]);
        }
    }

    /// <summary>Standard error of a proportion, √(p(1−p)/n) (NaN for n = 0).</summary>
    public static double StdErr(double p, int n) => n == 0 ? double.NaN : Math.Sqrt(p * (1 - p) / n);
}
