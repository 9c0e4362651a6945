using Retain.Datasets.Extraction;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Gsm8k;

/// <summary>
/// Zero-shot GSM8K for chat models: lm-eval's <c>gsm8k_cot_llama</c> instruction as one user message rendered with
/// the model's chat template, strict-match on <c>The final answer is N</c> (last occurrence) and flexible-extract.
/// </summary>
[RetainComponent("gsm8k-chat", Description = "GSM8K zero-shot with the chat template (gsm8k_cot_llama instruction).", Options = typeof(Gsm8kChatOptions))]
public sealed class Gsm8kChatBenchmark(Gsm8kChatOptions options) : IBenchmark
{
    /// <summary>gsm8k_cot_llama's strict filter: the last <c>The final answer is N</c>.</summary>
    public static readonly NamedFilter StrictMatch = new("strict-match", new RegexFilter(@"The final answer is ((-?[$0-9.,]{2,})|(-?[0-9]+))", -1));

    /// <summary>gsm8k_cot_llama's stop strings.</summary>
    public static readonly string[] Stops = ["<|eot_id|>", "<|start_header_id|>user<|end_header_id|>", "Q:", "</s>", "<|im_end|>"];

    /// <summary>The user message for a question.</summary>
    public static string UserMessage(string question) =>
        "Given the following problem, reason and give a final answer to the problem.\nProblem: " + question +
        "\nYour response should end with \"The final answer is [answer]\" where [answer] is the response to the problem.\n";

    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        if (!model.HasChatTemplate)
        {
            throw new InvalidOperationException($"gsm8k-chat needs a chat template, and model '{model.Name}' has none; evaluate it with 'gsm8k' instead.");
        }
        var test = Gsm8kDoc.Load(context, options.TestPath);
        var ids = DocSelection.Select(test.Count, context);
        var prompts = ids.Select(id => model.FormatChat([ChatMessage.User(UserMessage(test[id].Question))], addGenerationPrompt: true)).ToList();
        var settings = GenerationSettings.Greedy(options.MaxNewTokens, Stops);
        // The template already holds any BOS the model needs.
        var responses = model.Generate(
            prompts.Select(p => new GenerationRequest(p, settings, AddSpecialTokens: false)).ToList(),
            new ProgressAdapter(context.Progress, ids.Length), context.CancellationToken);
        var scoring = new Gsm8kScoring(StrictMatch, Gsm8kScoring.FlexibleExtract);
        for (int i = 0; i < ids.Length; i++) scoring.Add(ids[i], prompts[i], StopStrings.Truncate(responses[i], Stops), test[ids[i]], context.Records);
        return scoring.Result("gsm8k-chat");
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context)
    {
        var test = Gsm8kDoc.Load(context, options.TestPath);
        var ordered = Responses.Validate(responses, test.Count, "gsm8k-chat");
        var scoring = new Gsm8kScoring(StrictMatch, Gsm8kScoring.FlexibleExtract);
        foreach (var r in ordered) scoring.Add(r.DocId, UserMessage(test[r.DocId].Question), StopStrings.Truncate(r.Response, Stops), test[r.DocId], context.Records);
        return Responses.WithCoverage(scoring.Result("gsm8k-chat"), ordered.Count, test.Count);
    }
}
