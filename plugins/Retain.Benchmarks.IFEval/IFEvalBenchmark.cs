using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.IFEval;

/// <summary>Options of <c>ifeval</c>.</summary>
public sealed class IFEvalOptions
{
    /// <summary>The prompts.</summary>
    [Description("IFEval prompts (input_data.jsonl: key, prompt, instruction_id_list, kwargs), relative to the data roots.")]
    [Required]
    public string DataPath { get; set; } = "ifeval/input_data.jsonl";

    /// <summary>Generation budget.</summary>
    [Description("Maximum new tokens per response (lm-eval 1280).")]
    [Range(1, 65536)]
    public int MaxNewTokens { get; set; } = 1280;

    /// <summary>Chat formatting.</summary>
    [Description("Render the prompt as one user message with the model's chat template (lm-eval --apply_chat_template); false sends the raw prompt, lm-eval's default.")]
    public bool UseChatTemplate { get; set; }
}

/// <summary>
/// lm-eval <c>ifeval</c>: the raw prompt, greedy generation until EOS (at most 1280 tokens), the 25 instruction
/// checkers strict and loose; <c>inst_level_strict_acc</c>, <c>prompt_level_strict_acc</c>, and the loose pair.
/// </summary>
[RetainComponent("ifeval", Description = "IFEval as lm-eval: prompt- and instruction-level, strict and loose accuracy.", Options = typeof(IFEvalOptions))]
public sealed class IFEvalBenchmark(IFEvalOptions options) : IBenchmark
{
    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        var docs = IFEvalDoc.Load(context.Data.Resolve(options.DataPath));
        if (options.UseChatTemplate && !model.HasChatTemplate)
        {
            throw new InvalidOperationException($"ifeval: UseChatTemplate is set but model '{model.Name}' has no chat template.");
        }
        var ids = DocSelection.Select(docs.Count, context);
        var prompts = ids.Select(id => options.UseChatTemplate
            ? model.FormatChat([ChatMessage.User(docs[id].Prompt)], addGenerationPrompt: true)
            : docs[id].Prompt).ToList();
        var settings = GenerationSettings.Greedy(options.MaxNewTokens);
        var responses = model.Generate(prompts.Select(p => new GenerationRequest(p, settings, AddSpecialTokens: !options.UseChatTemplate)).ToList(),
            new ProgressAdapter(context.Progress, ids.Length), context.CancellationToken);
        return Score(docs, ids.Select((id, k) => (id, prompts[k], responses[k])), context);
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context)
    {
        var docs = IFEvalDoc.Load(context.Data.Resolve(options.DataPath));
        var ordered = Responses.Validate(responses, docs.Count, "ifeval");
        return Responses.WithCoverage(Score(docs, ordered.Select(r => (r.DocId, docs[r.DocId].Prompt, r.Response)), context), ordered.Count, docs.Count);
    }

    private static BenchmarkResult Score(List<IFEvalDoc> docs, IEnumerable<(int DocId, string Prompt, string Response)> items, BenchmarkContext context)
    {
        var verdicts = new List<IFEvalVerdict>();
        foreach (var (docId, prompt, response) in items)
        {
            var doc = docs[docId];
            var verdict = IFEvalScoring.Judge(doc.Instructions, response);
            verdicts.Add(verdict);
            context.Records.Add(new ItemRecord(docId, prompt, response, null, verdict.PromptStrict)
            {
                Details = new Dictionary<string, object?>
                {
                    ["key"] = doc.Key,
                    ["instruction_id_list"] = doc.InstructionIds,
                    ["strict"] = verdict.Strict,
                    ["loose"] = verdict.Loose,
                    ["prompt_level_loose"] = verdict.PromptLoose,
                },
            });
        }
        return IFEvalScoring.Result("ifeval", verdicts);
    }
}
