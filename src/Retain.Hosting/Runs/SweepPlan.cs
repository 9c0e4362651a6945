using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Retain.Hosting.Configuration;

namespace Retain.Hosting.Runs;

/// <summary>One run of a sweep: a method at a learning rate and seed.</summary>
/// <param name="Name">Folder name, e.g. <c>talr_lr1e-05_s42</c>.</param>
/// <param name="Method">The method.</param>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="Seed">Seed.</param>
/// <param name="Hash">Hash of every setting that determines this run's result.</param>
public sealed record RunSpec(string Name, MethodConfig Method, double LearningRate, int Seed, string Hash);

/// <summary>
/// The runs a configuration describes (methods × learning rates × seeds) and the fingerprints that detect a changed
/// configuration under an existing output directory: one over the whole effective configuration, and one per run
/// over the settings shared by all runs plus the run's own method, learning rate and seed.
/// </summary>
public sealed class SweepPlan
{
    private SweepPlan(string directory, JsonObject effective, string hash, IReadOnlyList<RunSpec> runs)
    {
        Directory = directory;
        Effective = effective;
        Hash = hash;
        Runs = runs;
    }

    /// <summary>The sweep's folder: &lt;output&gt;/&lt;name&gt;.</summary>
    public string Directory { get; }

    /// <summary>The effective configuration (file plus overrides) as JSON.</summary>
    public JsonObject Effective { get; }

    /// <summary>Hash of <see cref="Effective"/>.</summary>
    public string Hash { get; }

    /// <summary>The runs, methods outermost.</summary>
    public IReadOnlyList<RunSpec> Runs { get; }

    /// <summary>Plans a bound configuration.</summary>
    public static SweepPlan Create(BoundRunConfig bound)
    {
        var config = bound.Config;
        var effective = (JsonObject)ConfigurationText.ToJson(bound.Configuration.Root, bound.Configuration.Binder.IsSingleValueList)!;
        var shared = (JsonObject)effective.DeepClone();
        foreach (var key in shared.Select(p => p.Key).Where(k => k.ToLowerInvariant() is "methods" or "learningrates" or "seeds" or "name" or "output" or "plugins").ToList()) shared.Remove(key);
        var sharedText = shared.ToJsonString();

        var runs = new List<RunSpec>();
        var methodsJson = effective.FirstOrDefault(p => p.Key.Equals("methods", StringComparison.OrdinalIgnoreCase)).Value as JsonArray;
        for (int m = 0; m < config.Methods.Count; m++)
        {
            var method = config.Methods[m];
            var methodText = methodsJson is not null && m < methodsJson.Count ? methodsJson[m]?.ToJsonString() : "\"standard\"";
            foreach (var lr in config.LearningRates)
            {
                foreach (var seed in config.Seeds)
                {
                    var name = $"{Slug(method.Label)}_lr{lr.ToString("0.##e-00", CultureInfo.InvariantCulture)}_s{seed}";
                    var hash = Sha(string.Join("\n", "run-v1", sharedText, methodText, lr.ToString("R", CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture)));
                    runs.Add(new RunSpec(name, method, lr, seed, hash));
                }
            }
        }
        var duplicate = runs.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ConfigurationException([new ConfigurationError(bound.Configuration.FilePath, "methods", $"two runs would share the folder '{duplicate.Key}'; give the methods distinct names.")]);
        }
        var directory = Path.Combine(bound.ResolvePath(config.Output), config.Name!);
        return new SweepPlan(directory, effective, Sha("sweep-v1\n" + effective.ToJsonString()), runs);
    }

    /// <summary>A folder-safe form of a label.</summary>
    public static string Slug(string label) => new(label.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.' ? char.ToLowerInvariant(c) : '-').ToArray());

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
