using Retain.Datasets.Extraction;
using Retain.Evaluation;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>Scores GSM8K responses with a strict and a flexible filter, as lm-eval's two filter pipelines.</summary>
internal sealed class Gsm8kScoring(NamedFilter strict, NamedFilter flexible)
{
    /// <summary>lm-eval's <c>flexible-extract</c>: the last number-like run in the response.</summary>
    public static readonly NamedFilter FlexibleExtract = new("flexible-extract", Gsm8kAnswers.Flexible);

    private readonly List<bool> _strict = [];
    private readonly List<bool> _flexible = [];

    /// <summary>Scores one response and records it.</summary>
    public void Add(int docId, string prompt, string response, Gsm8kDoc doc, IItemRecorder records)
    {
        string strictAnswer = strict.Apply(response);
        string flexibleAnswer = flexible.Apply(response);
        bool strictOk = ExactMatch.Matches(strictAnswer, doc.Answer);
        bool flexibleOk = ExactMatch.Matches(flexibleAnswer, doc.Answer);
        _strict.Add(strictOk);
        _flexible.Add(flexibleOk);
        records.Add(new ItemRecord(docId, prompt, response, flexibleAnswer, flexibleOk)
        {
            Details = new Dictionary<string, object?>
            {
                ["reference"] = ExactMatch.Normalize(doc.Answer),
                [strict.Name] = strictAnswer,
                [strict.Name + "_correct"] = strictOk,
                [flexible.Name] = flexibleAnswer,
                [flexible.Name + "_correct"] = flexibleOk,
            },
        });
    }

    /// <summary>The two exact-match metrics, flexible-extract first (the paper's headline).</summary>
    public BenchmarkResult Result(string benchmark) => new(benchmark,
    [
        Statistics.Mean($"exact_match,{flexible.Name}", _flexible),
        Statistics.Mean($"exact_match,{strict.Name}", _strict),
    ]);
}
