using System.Globalization;
using System.Text.Json;

namespace Retain.Hosting.Runs;

/// <summary>
/// The sweep folder's note that a <c>retain run</c> ended before its work did (written by the exit hook, see
/// <see cref="Lifetime.UnfinishedWork"/>), so the next <c>retain run</c> says what happened before it resumes.
/// </summary>
public static class EarlyExitRecord
{
    /// <summary>The note's file name in the sweep folder.</summary>
    public const string FileName = "early-exit.json";

    /// <summary>Writes the note.</summary>
    public static void Write(string sweepDirectory, string message)
    {
        var path = Path.Combine(sweepDirectory, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["message"] = message,
            ["at"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        }));
    }

    /// <summary>Reports and removes a note left by the previous run, if any; returns its line.</summary>
    public static string? TakePrevious(string sweepDirectory)
    {
        var path = Path.Combine(sweepDirectory, FileName);
        if (!File.Exists(path)) return null;
        string line;
        try
        {
            var note = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? [];
            line = $"the previous 'retain run' of this sweep did not finish: {note.GetValueOrDefault("message", "(no message)")} ({note.GetValueOrDefault("at", "time unknown")}). Resuming.";
        }
        catch (JsonException)
        {
            line = $"the previous 'retain run' of this sweep did not finish (its note {path} is unreadable). Resuming.";
        }
        File.Delete(path);
        return line;
    }
}
