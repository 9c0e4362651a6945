namespace Retain.Benchmarks;

/// <summary>lm-eval's post-processing of a generation: cut at the earliest occurrence of any stop string.</summary>
internal static class StopStrings
{
    /// <summary>
    /// The text before the first occurrence of any non-empty stop string. The kernel already stops there; applying it
    /// again is a no-op for such text and gives responses produced elsewhere the same treatment.
    /// </summary>
    public static string Truncate(string text, IReadOnlyList<string> stops)
    {
        int cut = text.Length;
        foreach (var stop in stops)
        {
            if (stop.Length == 0) continue;
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && at < cut) cut = at;
        }
        return text[..cut];
    }
}
