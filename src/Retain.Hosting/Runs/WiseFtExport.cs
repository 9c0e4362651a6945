using System.Globalization;
using System.Text.Json;
using Retain.Kernel.Models;
using Retain.Kernel.Merging;
using Retain.Training;

namespace Retain.Hosting.Runs;

/// <summary>
/// Writes a Wise-FT interpolation θ_α = (1−α)·θ0 + α·θ_ft of a finished run's selected checkpoint (<c>best/</c>) and
/// the sweep's initial model, in Hugging Face layout, on request: a sweep keeps only the scores of its merged
/// candidates (their weights are reproducible from <c>best/</c>), and an α point can be the best trade-off.
/// </summary>
public static class WiseFtExport
{
    /// <summary>The merge of one α, labelled as the wise-ft strategy labels its candidates (<c>alpha=0.50</c>).</summary>
    private sealed class Interpolation(double alpha) : IPostTrainingMerge
    {
        public void Merge(IMergeContext context)
        {
            float a = (float)alpha;
            context.AddCandidate(Label(alpha), (_, initial, fineTuned, result) =>
            {
                for (int i = 0; i < result.Length; i++) result[i] = (1 - a) * initial[i] + a * fineTuned[i];
            });
        }
    }

    /// <summary>The candidate label of an α.</summary>
    public static string Label(double alpha) => $"alpha={alpha.ToString("0.00", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Writes the checkpoint under <paramref name="outputRoot"/> (default <c>&lt;sweep&gt;/&lt;run&gt;/merged</c>) as
    /// <c>alpha=0.50/</c> and returns its directory. Bad input (no such run, an unfinished run, α outside [0, 1], a
    /// sweep without its initial model) is an <see cref="ArgumentException"/> or <see cref="FileNotFoundException"/> naming it.
    /// </summary>
    public static string Write(string sweepDirectory, string run, double alpha, string? outputRoot = null)
    {
        if (!double.IsFinite(alpha) || alpha is < 0 or > 1) throw new ArgumentException($"--alpha {alpha.ToString(CultureInfo.InvariantCulture)} is outside [0, 1] (0 = the initial model, 1 = the fine-tuned one).");
        if (!Directory.Exists(sweepDirectory)) throw new DirectoryNotFoundException($"sweep directory not found: {sweepDirectory}");
        var runDirectory = Path.Combine(sweepDirectory, run);
        if (run.Length == 0 || run.IndexOfAny(['/', '\\']) >= 0 || !Directory.Exists(runDirectory))
        {
            var runs = Directory.GetDirectories(sweepDirectory).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(sweepDirectory, n!, "run.json"))).Order(StringComparer.Ordinal);
            throw new ArgumentException($"{sweepDirectory} has no run '{run}'; its runs: {string.Join(", ", runs)}.");
        }
        var best = Path.Combine(runDirectory, "best");
        if (!File.Exists(Path.Combine(best, "config.json"))) throw new FileNotFoundException($"{best}: run '{run}' has no selected checkpoint yet (it has not validated); finish it with 'retain run' first.", best);
        var initial = InitialModel(sweepDirectory);
        // In best/'s dtype (the sweep's save dtype), as the sweep wrote and scored its merged candidates.
        var options = new CheckpointSaveOptions { DType = Checkpoint.StoredDType(best) };
        var merged = CheckpointMerger.Run(new Interpolation(alpha), initial, best, outputRoot ?? Path.Combine(runDirectory, "merged"), options);
        return merged.Single().Directory;
    }

    /// <summary>The sweep's initial model, as <c>sweep.json</c> recorded it.</summary>
    private static string InitialModel(string sweepDirectory)
    {
        var facts = Path.Combine(sweepDirectory, "sweep.json");
        if (!File.Exists(facts)) throw new FileNotFoundException($"{facts} is missing; is {sweepDirectory} a sweep directory written by 'retain run'?", facts);
        string? model;
        try
        {
            model = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(facts))?.GetValueOrDefault("model");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{facts}: malformed JSON: {e.Message}", e);
        }
        if (model is null) throw new InvalidDataException($"{facts} names no initial model (key 'model').");
        if (!File.Exists(Path.Combine(model, "config.json"))) throw new FileNotFoundException($"the sweep's initial model {model} (from {facts}) is not there any more; Wise-FT needs θ0.", model);
        return model;
    }
}
