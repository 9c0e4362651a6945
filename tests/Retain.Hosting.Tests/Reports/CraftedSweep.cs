using System.Globalization;
using System.Text.Json;
using Retain.Hosting.Reports;

namespace Retain.Hosting.Tests.Reports;

/// <summary>Writes a sweep folder by hand (result files, metrics, per-item records) so report logic can be tested on chosen numbers.</summary>
internal sealed class CraftedSweep(string directory)
{
    public string Directory { get; } = directory;

    private static void Write(string path, object value)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(value, SweepResults.Json));
    }

    public CraftedSweep Init(double domain, double general, params string[] references)
    {
        Write(Path.Combine(Directory, "sweep.json"), new Dictionary<string, string> { ["name"] = "crafted", ["model"] = "stories260K" });
        Write(Path.Combine(Directory, "init", "result.json"), new ModelScores { Domain = domain, DomainCount = Math.Max(1, references.Length), General = general, Benchmarks = { ["continuation"] = general } });
        if (references.Length > 0)
            File.WriteAllLines(Path.Combine(Directory, "init", "domain-test.jsonl"), references.Select((r, i) => JsonSerializer.Serialize(new { id = i, response = "x", reference = r, extracted = "x", correct = false })));
        return this;
    }

    /// <summary>A completed run; <paramref name="answers"/> become its domain test records, <paramref name="validation"/> its validation curve (every 10 steps).</summary>
    public CraftedSweep Run(string method, double lr, int seed, double domain, double general, string[]? answers = null, double[]? validation = null)
    {
        var name = $"{method}_lr{lr.ToString("0e0", CultureInfo.InvariantCulture)}_s{seed}";
        var curve = (validation ?? [domain]).Select((v, i) => ((i + 1) * 10, v)).ToList();
        Write(Path.Combine(Directory, name, "result.json"), new RunResult
        {
            Run = name, Method = method, LearningRate = lr, Seed = seed, Steps = curve.Count * 10, SelectedStep = curve[0].Item1,
            Selection = SelectionResult.Of(curve),
            Scores = new ModelScores { Domain = domain, DomainCount = 200, General = general, Validation = curve.Max(c => c.v), Benchmarks = { ["continuation"] = general } },
        });
        File.WriteAllLines(Path.Combine(Directory, name, "metrics.jsonl"),
            curve.Select(c => JsonSerializer.Serialize(new Dictionary<string, object> { ["step"] = c.Item1, ["loss"] = 1.0 / c.Item1, ["validation"] = c.v })));
        if (answers is not null)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, name, "eval"));
            File.WriteAllLines(Path.Combine(Directory, name, "eval", "domain-test.jsonl"), answers.Select((a, i) => JsonSerializer.Serialize(new { id = i, response = " " + a, reference = "r", extracted = (string?)null, correct = false })));
        }
        return this;
    }

    /// <summary>Three seeds around a mean (−spread, 0, +spread).</summary>
    public CraftedSweep Seeds(string method, double lr, double domain, double general, double spread = 0.01)
    {
        for (int seed = 1; seed <= 3; seed++) Run(method, lr, seed, domain + (seed - 2) * spread, general + (seed - 2) * spread);
        return this;
    }

    public SweepResults Load() => SweepResults.Load(Directory);
}
