using System.Text;
using System.Text.RegularExpressions;

namespace Retain.Benchmarks.IFEval.Text.Langdetect;

/// <summary>
/// A port of langdetect 1.0.9's <c>detect(text)</c> (Mimino666/langdetect, itself a port of Nakatani Shuyo's
/// language-detection), with <c>DetectorFactory.seed = 0</c>:
/// <list type="number">
/// <item>URLs and e-mail addresses become spaces, Vietnamese letter + combining mark pairs are precomposed, runs of
/// spaces collapse, and only the first 10 000 characters are kept.</item>
/// <item>If Latin letters (<c>'A' ≤ c ≤ 'z'</c>) are fewer than half the characters at or above U+0300, the Latin
/// characters are dropped.</item>
/// <item>Every 1-, 2- and 3-gram of normalised characters that some profile knows is collected, except inside words
/// of two or more capitals. None: langdetect raises "No features in text" (<see cref="Detect"/> returns null).</item>
/// <item>Seven trials, each with CPython's <c>random.Random</c> seeded once with 0 for all seven: smoothing
/// α = 0.5 + N(0,1)·0.05; draw n-grams uniformly (<c>random.choice</c>) and multiply every language's probability by
/// α/10000 + P(n-gram | language); every 5th draw (from the first) normalise and stop when the largest exceeds
/// 0.99999, or after 1000 draws.</item>
/// <item>Average the seven; languages above 0.1, highest first (ties keep profile order); the first, or "unknown".</item>
/// </list>
/// Arithmetic is in the same order as Python 3.11's (plain left-to-right <c>sum</c>; Python ≥ 3.12 sums floats with
/// compensation, which can move a borderline convergence test).
/// </summary>
public static partial class LanguageDetector
{
    private const double AlphaDefault = 0.5, AlphaWidth = 0.05, ProbThreshold = 0.1, ConvThreshold = 0.99999;
    private const int IterationLimit = 1000, Trials = 7, BaseFreq = 10000, MaxTextLength = 10000, Seed = 0;

    /// <summary>What langdetect's <c>detect</c> returns when no language scores above 0.1.</summary>
    public const string Unknown = "unknown";

    /// <summary>The detected language code (langdetect's names, e.g. <c>en</c>, <c>zh-cn</c>), <see cref="Unknown"/>, or
    /// null where langdetect raises because the text has no n-gram it knows.</summary>
    public static string? Detect(string text)
    {
        var probabilities = Probabilities(text);
        if (probabilities is null) return null;
        return probabilities.Count > 0 ? probabilities[0].Language : Unknown;
    }

    /// <summary>langdetect's <c>detect_langs</c>: languages above 0.1, highest first; null where it raises.</summary>
    public static IReadOnlyList<(string Language, double Probability)>? Probabilities(string text)
    {
        var data = LangdetectData.Instance;
        var ngrams = ExtractNGrams(Clean(Append(text)), data);
        if (ngrams.Count == 0) return null;

        int languages = data.Languages.Count;
        var total = new double[languages];
        var random = new PythonRandom(Seed);
        var prob = new double[languages];
        var factor = new double[languages];
        for (int t = 0; t < Trials; t++)
        {
            Array.Fill(prob, 1.0 / languages);
            double alpha = AlphaDefault + random.Gauss() * AlphaWidth;
            for (int i = 0; ; i++)
            {
                Update(prob, factor, ngrams[random.RandBelow(ngrams.Count)], alpha);
                if (i % 5 == 0 && (NormalizeInPlace(prob) > ConvThreshold || i >= IterationLimit)) break;
            }
            for (int j = 0; j < languages; j++) total[j] += prob[j] / Trials;
        }
        return Enumerable.Range(0, languages)
            .Where(j => total[j] > ProbThreshold)
            .Select(j => (data.Languages[j], total[j]))
            .OrderByDescending(x => x.Item2) // stable, like Python's sort(reverse=True)
            .ToList();
    }

    // Detector.append: URL/e-mail removal, Vietnamese normalisation, collapsed spaces, the first 10 000 characters.
    private static List<int> Append(string text)
    {
        text = Url().Replace(text, " ");
        text = Mail().Replace(text, " ");
        text = NGram.NormalizeVi(text);
        var result = new List<int>();
        int pre = 0, count = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (count++ >= MaxTextLength) break;
            int ch = rune.Value;
            if (ch != ' ' || pre != ' ') result.Add(ch);
            pre = ch;
        }
        return result;
    }

    // Detector.cleaning_text. Its "not Latin Extended Additional" test compares a block number with a block name and is
    // always true, so every character from U+0300 counts as non-Latin (faithfully kept).
    private static List<int> Clean(List<int> text)
    {
        int latin = 0, nonLatin = 0;
        foreach (int ch in text)
        {
            if (ch is >= 'A' and <= 'z') latin++;
            else if (ch >= 0x0300) nonLatin++;
        }
        return latin * 2 < nonLatin ? text.Where(ch => ch < 'A' || ch > 'z').ToList() : text;
    }

    private static List<NGramProbabilities> ExtractNGrams(List<int> text, LangdetectData data)
    {
        var result = new List<NGramProbabilities>();
        var ngram = new NGram();
        var key = new StringBuilder();
        foreach (int ch in text)
        {
            ngram.Add(ch);
            if (ngram.CapitalWord) continue;
            var grams = ngram.Grams;
            for (int n = 1; n <= NGram.N; n++)
            {
                if (grams.Count < n) break;
                key.Clear();
                for (int k = grams.Count - n; k < grams.Count; k++) key.Append(char.ConvertFromUtf32(grams[k]));
                string w = key.ToString();
                if (w != " " && data.Probabilities.TryGetValue(w, out var p)) result.Add(p);
            }
        }
        return result;
    }

    // prob[i] *= alpha/BASE_FREQ + P(word | language i); languages without the n-gram have P = 0.0.
    private static void Update(double[] prob, double[] factor, NGramProbabilities word, double alpha)
    {
        double weight = alpha / BaseFreq;
        Array.Fill(factor, weight + 0.0);
        var languages = word.Languages;
        var values = word.Values;
        for (int k = 0; k < languages.Length; k++) factor[languages[k]] = weight + values[k];
        for (int i = 0; i < prob.Length; i++) prob[i] *= factor[i];
    }

    private static double NormalizeInPlace(double[] prob)
    {
        double sum = 0.0;
        foreach (double p in prob) sum += p;
        double max = 0.0;
        for (int i = 0; i < prob.Length; i++)
        {
            double p = prob[i] / sum;
            if (max < p) max = p;
            prob[i] = p;
        }
        return max;
    }

    [GeneratedRegex("https?://[-_.?&~;+=/#0-9A-Za-z]{1,2076}")]
    private static partial Regex Url();

    [GeneratedRegex("[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}")]
    private static partial Regex Mail();
}
