using System.Text.Json;
using System.Text.Json.Serialization;
using Retain.Hosting.Runs;

namespace Retain.Hosting.Execution;

/// <summary>One cell of a sweep as <c>cells.json</c> lists it.</summary>
public sealed record CellEntry
{
    /// <summary>The cell's id and folder name (<c>init</c>, or a run such as <c>talr_lr1e-05_s42</c>).</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";

    /// <summary>The run's settings hash (empty for the Init evaluation).</summary>
    [JsonPropertyName("hash")] public string Hash { get; init; } = "";
}

/// <summary>
/// The cells of a sweep — the Init evaluation and one training run per method × learning rate × seed — written to
/// <c>cells.json</c> in the sweep folder, so that <c>retain status</c>, <c>retain report</c> and <c>retain cancel</c>
/// know every cell (including those not started) from the folder alone.
/// </summary>
public static class SweepCells
{
    /// <summary>The id of the Init evaluation cell.</summary>
    public const string Init = "init";

    /// <summary>The manifest's file name.</summary>
    public const string FileName = "cells.json";

    /// <summary>The cells of a plan, Init first.</summary>
    public static IReadOnlyList<CellEntry> Of(SweepPlan plan)
        => [new CellEntry { Name = Init }, .. plan.Runs.Select(r => new CellEntry { Name = r.Name, Hash = r.Hash })];

    /// <summary>Writes the manifest of a plan.</summary>
    public static void Write(SweepPlan plan)
        => AtomicFile.WriteAllText(Path.Combine(plan.Directory, FileName), JsonSerializer.Serialize(Of(plan), new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The manifest of a sweep folder; null when there is none (a sweep written before it existed).</summary>
    public static IReadOnlyList<CellEntry>? Read(string sweepDirectory)
    {
        var path = Path.Combine(sweepDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<List<CellEntry>>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed cell list at line {(e.LineNumber ?? 0) + 1}; run 'retain run' on the configuration again to rewrite it.", e);
        }
    }
}
