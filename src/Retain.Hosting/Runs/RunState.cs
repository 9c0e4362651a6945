using System.Text.Json;
using System.Text.Json.Serialization;

namespace Retain.Hosting.Runs;

/// <summary>
/// What a resume needs beyond the kernel's training state: where the run stands and the best validation so far.
/// Saved as <c>state.json</c> in the <c>last/</c> checkpoint, together with the kernel's state file.
/// </summary>
public sealed record RunState
{
    /// <summary>The run's settings hash; a state of another configuration is never resumed.</summary>
    [JsonPropertyName("hash")] public string Hash { get; init; } = "";

    /// <summary>Optimizer steps done.</summary>
    [JsonPropertyName("step")] public int Step { get; init; }

    /// <summary>Best validation score so far (null before the first validation).</summary>
    [JsonPropertyName("bestScore")] public double? BestScore { get; init; }

    /// <summary>The step of the best checkpoint.</summary>
    [JsonPropertyName("bestStep")] public int? BestStep { get; init; }

    /// <summary>Training seconds so far (for throughput and ETA, not for results).</summary>
    [JsonPropertyName("elapsedSeconds")] public double ElapsedSeconds { get; init; }

    /// <summary>Reads a state; null when absent or damaged.</summary>
    public static RunState? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunState>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes the state.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions { WriteIndented = true }));
}

/// <summary>Directory swaps that never leave a half-written checkpoint in place.</summary>
public static class AtomicDirectory
{
    /// <summary>
    /// Fills a fresh temporary folder with <paramref name="write"/>, then swaps it in for <paramref name="target"/>
    /// (the old one is moved aside first and deleted last, so at every moment one complete copy exists).
    /// </summary>
    public static void Replace(string target, Action<string> write)
    {
        var temporary = target + ".tmp";
        var old = target + ".old";
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        write(temporary);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        if (Directory.Exists(target)) Directory.Move(target, old);
        Directory.Move(temporary, target);
        if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
    }

    /// <summary>The complete copy of <paramref name="target"/>: itself, or the previous one a crash left aside.</summary>
    public static string? Existing(string target)
        => Directory.Exists(target) ? target : Directory.Exists(target + ".old") ? target + ".old" : null;
}
