using System.Text;
using Retain.Datasets.Extraction;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>
/// lm-eval's <c>gsm8k</c>: <c>Question: …\nAnswer:</c> prompts with <see cref="Gsm8kOptions.FewShot"/> examples drawn
/// from the train split by CPython's <c>random.Random(1234).sample</c> (one generator consumed over the test docs in
/// order), greedy generation until <c>Question:</c>, scored by <c>exact_match</c> under the strict and flexible filters.
/// </summary>
[RetainComponent("gsm8k", Description = "GSM8K 5-shot as lm-eval: exact_match under flexible-extract and strict-match.", Options = typeof(Gsm8kOptions))]
public sealed class Gsm8kBenchmark(Gsm8kOptions options) : IBenchmark
{
    /// <summary>lm-eval's <c>strict-match</c>: the first <c>#### N</c>.</summary>
    public static readonly NamedFilter StrictMatch = new("strict-match", Gsm8kAnswers.Strict);

    /// <summary>Stop strings of the task (the kernel also stops at the tokenizer's EOS tokens).</summary>
    public static readonly string[] Stops = ["Question:", "</s>", "<|im_end|>"];

    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        var test = Gsm8kDoc.Load(context, options.TestPath);
        var ids = DocSelection.Select(test.Count, context);
        var prompts = BuildPrompts(test, ids, context);
        var settings = GenerationSettings.Greedy(options.MaxNewTokens, Stops);
        var responses = model.Generate(
            prompts.Select(p => new GenerationRequest(p, settings)).ToList(),
            new ProgressAdapter(context.Progress, ids.Length), context.CancellationToken);
        var scoring = new Gsm8kScoring(StrictMatch, Gsm8kScoring.FlexibleExtract);
        for (int i = 0; i < ids.Length; i++) scoring.Add(ids[i], prompts[i], StopStrings.Truncate(responses[i], Stops), test[ids[i]], context.Records);
        return scoring.Result("gsm8k");
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context)
    {
        var test = Gsm8kDoc.Load(context, options.TestPath);
        var ordered = Responses.Validate(responses, test.Count, "gsm8k");
        var prompts = BuildPrompts(test, ordered.Select(r => r.DocId).ToArray(), context);
        var scoring = new Gsm8kScoring(StrictMatch, Gsm8kScoring.FlexibleExtract);
        for (int i = 0; i < ordered.Count; i++) scoring.Add(ordered[i].DocId, prompts[i], StopStrings.Truncate(ordered[i].Response, Stops), test[ordered[i].DocId], context.Records);
        return Responses.WithCoverage(scoring.Result("gsm8k"), ordered.Count, test.Count);
    }

    private List<string> BuildPrompts(List<Gsm8kDoc> test, int[] ids, BenchmarkContext context)
    {
        if (options.FewShot == 0) return ids.Select(id => DocText(test[id])).ToList();
        var train = Gsm8kDoc.Load(context, options.TrainPath);
        var shots = FewShotIndices(train.Count, ids.Max() + 1, options.FewShot, options.FewShotSeed);
        return ids.Select(id => Prompt(test[id], shots[id].Select(j => train[j]))).ToList();
    }

    /// <summary>
    /// The train indices drawn for test docs 0 … <paramref name="docCount"/>−1: one <see cref="PythonRandom"/>
    /// seeded with <paramref name="seed"/>, <c>sample(train, k)</c> per doc in order (the few-shot split differs from
    /// the test split, so lm-eval draws exactly k).
    /// </summary>
    public static int[][] FewShotIndices(int trainCount, int docCount, int k, int seed)
    {
        var random = new PythonRandom(seed);
        var draws = new int[docCount][];
        for (int i = 0; i < docCount; i++) draws[i] = random.Sample(trainCount, k);
        return draws;
    }

    /// <summary>
    /// The full prompt: each shot as <c>Question: q\nAnswer: a\n\n</c> (a shot equal to the test doc is dropped, as
    /// lm-eval does), then <c>Question: q\nAnswer:</c> with no trailing space.
    /// </summary>
    public static string Prompt(Gsm8kDoc doc, IEnumerable<Gsm8kDoc> shots)
    {
        var sb = new StringBuilder();
        foreach (var shot in shots)
        {
            if (shot == doc) continue;
            sb.Append(DocText(shot)).Append(' ').Append(shot.Answer).Append("\n\n");
        }
        return sb.Append(DocText(doc)).ToString();
    }

    private static string DocText(Gsm8kDoc doc) => $"Question: {doc.Question}\nAnswer:";
}
