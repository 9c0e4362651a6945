using System.Text;
using System.Text.Json;
using Retain.Data;
using Retain.Evaluation;
using Retain.Hosting.Data;

namespace Retain.Hosting.Runs;

/// <summary>
/// Evaluates a model on domain examples: each prompt is rendered with the chat template (plus the dataset's response
/// prefix), the model generates with the evaluator's settings, the evaluator grades each response and summarises.
/// Per-item records go to a JSONL file.
/// </summary>
public static class DomainEvaluation
{
    /// <summary>The domain score of <paramref name="model"/> on <paramref name="examples"/>.</summary>
    public static DomainScore Evaluate(ILanguageModel model, IDomainEvaluator evaluator, ExampleEncoder encoder, IReadOnlyList<Example> examples,
        string? recordsPath, IProgress<(int Done, int Total)>? progress = null)
    {
        if (examples.Count == 0) throw new DataException("there are no examples to evaluate on (the split is empty); lower the split fractions' demands or add data.");
        var requests = new List<GenerationRequest>(examples.Count);
        foreach (var example in examples)
        {
            var prompt = encoder.GenerationPrompt(example);
            bool addSpecial = encoder.Template.AddSpecialTokensWhenEncoding;
            // The budget shrinks to what the context window leaves after the prompt.
            int promptTokens = model.Tokenizer.Encode(prompt, addSpecial).Length;
            int budget = Math.Min(evaluator.Generation.MaxNewTokens, Math.Max(1, model.MaxSequenceLength - promptTokens - 1));
            requests.Add(new GenerationRequest(prompt, evaluator.Generation with { MaxNewTokens = budget }, addSpecial));
        }
        var done = new Progress<int>(count => progress?.Report((count, examples.Count)));
        var responses = model.Generate(requests, done);
        var verdicts = new Verdict[examples.Count];
        for (int i = 0; i < examples.Count; i++) verdicts[i] = evaluator.Grade(examples[i], responses[i]);
        if (recordsPath is not null) WriteRecords(recordsPath, examples, requests, responses, verdicts);
        return evaluator.Summarize(examples, verdicts);
    }

    private static void WriteRecords(string path, IReadOnlyList<Example> examples, IReadOnlyList<GenerationRequest> requests, IReadOnlyList<string> responses, IReadOnlyList<Verdict> verdicts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        for (int i = 0; i < examples.Count; i++)
        {
            writer.WriteLine(JsonSerializer.Serialize(new
            {
                id = examples[i].Id,
                prompt = requests[i].Prompt,
                response = responses[i],
                reference = examples[i].Reference,
                extracted = verdicts[i].Extracted,
                correct = verdicts[i].Correct,
            }));
        }
    }
}
