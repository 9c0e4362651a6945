using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Retain.Data;
using Retain.Evaluation;

namespace Retain.Benchmarks.Continuation;

/// <summary>One continuation sampled from the reference model, with the reference's own score of it.</summary>
public sealed record ContinuationSample(string Prompt, string Continuation, double ReferenceLogLikelihood, int Tokens);

/// <summary>The reference samples: drawn once per (reference model, settings) and cached as JSON.</summary>
public static class ContinuationSamples
{
    private const int FormatVersion = 1;

    /// <summary>
    /// The samples for <paramref name="reference"/>: read from <paramref name="cacheDirectory"/> when a file for this
    /// model id and these settings exists, otherwise sampled (seed <c>seed + i</c> for sample i), scored by the
    /// reference itself, and written there. Empty continuations are dropped (they carry no tokens to score).
    /// </summary>
    public static IReadOnlyList<ContinuationSample> Get(ILanguageModel reference, ContinuationOptions options, int seed, string? cacheDirectory, CancellationToken cancellationToken)
    {
        string settingsKey = SettingsKey(options, seed);
        string? cachePath = cacheDirectory is null ? null : Path.Combine(cacheDirectory, $"continuation-{Sanitize(reference.Id)}-{settingsKey}.json");
        if (cachePath is not null && File.Exists(cachePath)) return Read(cachePath, reference.Id, settingsKey);

        var requests = new List<GenerationRequest>();
        int i = 0;
        foreach (var prompt in options.EffectivePrompts)
        {
            for (int s = 0; s < options.SamplesPerPrompt; s++, i++)
            {
                requests.Add(new GenerationRequest(prompt, new GenerationSettings(options.MaxNewTokens, [], options.Temperature, options.TopP, seed + i)));
            }
        }
        var texts = reference.Generate(requests, null, cancellationToken);
        var kept = requests.Select((r, k) => (r.Prompt, Text: texts[k])).Where(p => p.Text.Length > 0).ToList();
        if (kept.Count == 0) throw new InvalidOperationException($"continuation: reference model '{reference.Name}' produced only empty continuations; nothing to score.");
        var scores = reference.Loglikelihood(kept.Select(p => new LoglikelihoodRequest(p.Prompt, p.Text)).ToList(), null, cancellationToken);
        var samples = kept.Select((p, k) => new ContinuationSample(p.Prompt, p.Text, scores[k].LogLikelihood, scores[k].TokenCount))
            .Where(s => s.Tokens > 0).ToList();
        if (cachePath is not null) Write(cachePath, reference.Id, settingsKey, samples);
        return samples;
    }

    private static string SettingsKey(ContinuationOptions o, int seed)
    {
        string canonical = JsonSerializer.Serialize(new { Prompts = o.EffectivePrompts, o.SamplesPerPrompt, o.MaxNewTokens, o.Temperature, o.TopP, seed, FormatVersion });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16].ToLowerInvariant();
    }

    private static string Sanitize(string id)
    {
        var chars = id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray();
        return new string(chars, 0, Math.Min(chars.Length, 64));
    }

    private sealed record CacheFile(int Version, string ReferenceId, string Settings, List<ContinuationSample> Samples);

    private static IReadOnlyList<ContinuationSample> Read(string path, string referenceId, string settingsKey)
    {
        CacheFile? file;
        try
        {
            file = JsonSerializer.Deserialize<CacheFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new DataException($"{path}: the continuation cache is corrupt ({e.Message}); delete it to resample.", e);
        }
        if (file is null || file.Version != FormatVersion || file.ReferenceId != referenceId || file.Settings != settingsKey || file.Samples.Count == 0)
        {
            throw new DataException($"{path}: the continuation cache does not match reference '{referenceId}' and settings {settingsKey}; delete it to resample.");
        }
        return file.Samples;
    }

    private static void Write(string path, string referenceId, string settingsKey, List<ContinuationSample> samples)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new CacheFile(FormatVersion, referenceId, settingsKey, samples), new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }
}
