using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Retain.Benchmarks.IFEval.Text.Langdetect;

/// <summary>
/// langdetect 1.0.9's shipped data, embedded in this assembly (Data/, Apache-2.0, see Data/LICENSE-langdetect.txt):
/// the 55 language profiles in the order langdetect loaded them on the machine the fixtures were made on, and the
/// character tables of <c>messages.properties</c>. Built once, on first use, as <c>DetectorFactory.load_profile</c> does.
/// </summary>
internal sealed class LangdetectData
{
    private static readonly Lazy<LangdetectData> Shared = new(Load);

    private LangdetectData(List<string> languages, Dictionary<string, NGramProbabilities> probabilities, Dictionary<string, string> messages)
    {
        Languages = languages;
        Probabilities = probabilities;
        Messages = messages;
    }

    /// <summary>The data, loaded once.</summary>
    public static LangdetectData Instance => Shared.Value;

    /// <summary>Language codes in profile order (langdetect's <c>langlist</c>).</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>
    /// <c>word_lang_prob_map</c>: for each n-gram of 1–3 code points, its frequency / the profile's n-gram count of that
    /// length, per language. Stored sparsely; absent languages have probability 0.
    /// </summary>
    public IReadOnlyDictionary<string, NGramProbabilities> Probabilities { get; }

    /// <summary><c>messages.properties</c>, escapes decoded.</summary>
    public IReadOnlyDictionary<string, string> Messages { get; }

    private static LangdetectData Load()
    {
        var assembly = typeof(LangdetectData).Assembly;
        var languages = new List<string>();
        var dense = new Dictionary<string, List<(int Language, double P)>>(StringComparer.Ordinal);
        using (var reader = new StreamReader(new GZipStream(Open(assembly, "langdetect-profiles.jsonl.gz"), CompressionMode.Decompress), Encoding.UTF8))
        {
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                int index = languages.Count;
                languages.Add(root.GetProperty("name").GetString()!);
                var nWords = root.GetProperty("n_words").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                foreach (var entry in root.GetProperty("freq").EnumerateObject())
                {
                    int length = CodePointLength(entry.Name);
                    if (length is < 1 or > 3) continue;
                    if (!dense.TryGetValue(entry.Name, out var list)) dense[entry.Name] = list = [];
                    list.Add((index, 1.0 * entry.Value.GetInt64() / nWords[length - 1]));
                }
            }
        }
        var probabilities = dense.ToDictionary(kv => kv.Key, kv => new NGramProbabilities(
            kv.Value.Select(x => x.Language).ToArray(), kv.Value.Select(x => x.P).ToArray()), StringComparer.Ordinal);

        var messages = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = new StreamReader(Open(assembly, "langdetect-messages.properties"), Encoding.UTF8))
        {
            while (reader.ReadLine() is { } line)
            {
                string trimmed = line.Trim();
                int eq = trimmed.IndexOf('=');
                if (eq < 0) continue;
                messages[trimmed[..eq]] = DecodeEscapes(trimmed[(eq + 1)..]);
            }
        }
        return new LangdetectData(languages, probabilities, messages);
    }

    private static Stream Open(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream("Retain.Benchmarks.IFEval.Data." + name)
        ?? throw new InvalidOperationException($"ifeval: embedded resource Data/{name} is missing from {assembly.GetName().Name}.");

    private static int CodePointLength(string s)
    {
        int n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    // Python's 'unicode_escape' for the \uXXXX escapes the file uses.
    private static string DecodeEscapes(string s)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 5 < s.Length && s[i + 1] == 'u')
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 2, 4), 16));
                i += 5;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }
}

/// <summary>One n-gram's non-zero probabilities: parallel arrays of language index and probability.</summary>
internal sealed record NGramProbabilities(int[] Languages, double[] Values);
