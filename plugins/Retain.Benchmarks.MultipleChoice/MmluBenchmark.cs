using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.MultipleChoice;

/// <summary>Options of <c>mmlu</c>.</summary>
public sealed class MmluOptions
{
    /// <summary>Folder of <c>{subject}_test.csv</c> files.</summary>
    [Description("Folder of {subject}_test.csv files (header question,choice0..choice3,answer), relative to the data roots.")]
    [Required]
    public string TestDirectory { get; set; } = "general_mc/mmlu/test";

    /// <summary>Folder of <c>{subject}_dev.csv</c> files (few-shot examples).</summary>
    [Description("Folder of {subject}_dev.csv files, the few-shot examples (first n, in file order).")]
    [Required]
    public string DevDirectory { get; set; } = "general_mc/mmlu/dev";

    /// <summary>Few-shot examples per prompt.</summary>
    [Description("Few-shot examples per prompt: 0 (lm-eval default) or up to 5 (the dev split holds 5 per subject).")]
    [Range(0, 5)]
    public int FewShot { get; set; }
}

/// <summary>One MMLU question.</summary>
public sealed record MmluQuestion(string Subject, string Question, IReadOnlyList<string> Choices, int Answer);

/// <summary>
/// lm-eval <c>mmlu</c>: 57 subjects (test split, 14042 questions), the subject description, optional first-n dev shots,
/// <c>"{question}\nA. …\nD. …\nAnswer:"</c> with choices <c>" A"</c>…<c>" D"</c>; <c>acc</c> micro-averaged over all
/// questions, plus per-category and per-subject <c>acc</c>. Doc ids number the questions subject by subject in
/// alphabetical order, file order within a subject.
/// </summary>
[RetainComponent("mmlu", Description = "MMLU (57 subjects, 0- or 5-shot) as lm-eval mmlu: acc, per category and subject.", Options = typeof(MmluOptions))]
public sealed class MmluBenchmark(MmluOptions options) : ChoiceBenchmark
{
    private static readonly string[] Letters = ["A", "B", "C", "D"];

    /// <inheritdoc />
    protected override string Name => "mmlu";
    /// <inheritdoc />
    protected override bool ReportsAccNorm => false;

    /// <inheritdoc />
    public override IReadOnlyList<ChoiceItem> Load(BenchmarkContext context)
    {
        var items = new List<ChoiceItem>();
        foreach (var (subject, _) in MmluSubjects.All)
        {
            var test = ReadSubject(context.Data.Resolve($"{options.TestDirectory}/{subject}_test.csv"), subject);
            var shots = options.FewShot == 0 ? [] : ReadSubject(context.Data.Resolve($"{options.DevDirectory}/{subject}_dev.csv"), subject);
            if (shots.Count < options.FewShot)
            {
                throw new DataException($"{options.DevDirectory}/{subject}_dev.csv: {shots.Count} examples, fewer than FewShot={options.FewShot}.");
            }
            foreach (var q in test) items.Add(ChoiceItem.SharedContext(Prompt(q, shots.Take(options.FewShot)), Letters, q.Answer, subject));
        }
        return items;
    }

    /// <summary>Description, then each shot as its question text + <c>" "</c> + letter + <c>"\n\n"</c>, then the question.</summary>
    public static string Prompt(MmluQuestion question, IEnumerable<MmluQuestion> shots)
    {
        var sb = new StringBuilder(MmluSubjects.Description(question.Subject));
        foreach (var shot in shots) sb.Append(DocText(shot)).Append(' ').Append(Letters[shot.Answer]).Append("\n\n");
        return sb.Append(DocText(question)).ToString();
    }

    /// <summary>lm-eval's <c>doc_to_text</c>.</summary>
    public static string DocText(MmluQuestion q) =>
        $"{PythonText.Strip(q.Question)}\nA. {q.Choices[0]}\nB. {q.Choices[1]}\nC. {q.Choices[2]}\nD. {q.Choices[3]}\nAnswer:";

    /// <summary>Reads one converted subject file (header <c>question,choice0,choice1,choice2,choice3,answer</c>).</summary>
    public static List<MmluQuestion> ReadSubject(string path, string subject)
    {
        var rows = Csv.Read(path);
        if (rows.Count == 0 || string.Join(",", rows[0].Fields) != "question,choice0,choice1,choice2,choice3,answer")
        {
            throw new DataException($"{path}:1: expected the header 'question,choice0,choice1,choice2,choice3,answer'.");
        }
        var questions = new List<MmluQuestion>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (fields.Count != 6) throw new DataException($"{path}:{line}: {fields.Count} fields, expected 6.");
            if (!int.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out int answer) || answer > 3)
            {
                throw new DataException($"{path}:{line}: answer '{fields[5]}' is not 0-3.");
            }
            questions.Add(new MmluQuestion(subject, fields[0], fields[1..5], answer));
        }
        return questions;
    }

    /// <inheritdoc />
    public override BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        var items = Load(context);
        var ids = DocSelection.Select(items.Count, context);
        var selected = ids.Select(i => items[i]).ToList();
        var (result, verdicts) = ChoiceScoring.Evaluate(Name, model, selected, ids, context, withNorm: false);
        var correct = selected.Select((item, k) => verdicts[k].Prediction == item.Gold).ToList();
        var metrics = new List<MetricValue>();
        var bySubject = new Dictionary<string, MetricValue>();
        foreach (var (subject, _) in MmluSubjects.All)
        {
            var hits = selected.Select((item, k) => (item, k)).Where(p => p.item.Group == subject).Select(p => correct[p.k]).ToList();
            if (hits.Count > 0) bySubject[subject] = Statistics.Mean($"acc,none/mmlu_{subject}", hits);
        }
        // lm-eval nests subjects in four size-weighted category groups and those in the mmlu group; stderrs pool level by level.
        var categories = new List<MetricValue>();
        foreach (var category in new[] { "humanities", "other", "social_sciences", "stem" })
        {
            var members = MmluSubjects.All.Where(s => s.Category == category && bySubject.ContainsKey(s.Subject)).Select(s => bySubject[s.Subject]).ToList();
            if (members.Count == 0) continue;
            int n = members.Sum(m => m.Count);
            categories.Add(new MetricValue($"acc,none/mmlu_{category}", members.Sum(m => m.Value * m.Count) / n, PooledStdErr(members), n));
        }
        metrics.Add(result.Metrics[0] with { StdErr = PooledStdErr(categories) });
        metrics.AddRange(categories);
        metrics.AddRange(bySubject.Values);
        return new BenchmarkResult(Name, metrics);
    }

    /// <summary>
    /// lm-eval's <c>pooled_sample_stderr</c> for size-weighted groups: the pooled within-subtask variance
    /// Σ(nᵢ−1)sᵢ² / (N − k), divided by N, square-rooted. Subtasks with a single item (no stderr) contribute nothing.
    /// </summary>
    public static double PooledStdErr(IReadOnlyList<MetricValue> subtasks)
    {
        var usable = subtasks.Where(m => m.Count > 1 && !double.IsNaN(m.StdErr)).ToList();
        int total = usable.Sum(m => m.Count);
        if (total - usable.Count <= 0) return double.NaN;
        double pooled = usable.Sum(m => (m.Count - 1) * m.StdErr * m.StdErr * m.Count) / (total - usable.Count);
        return Math.Sqrt(pooled / total);
    }
}
