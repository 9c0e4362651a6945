using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using Retain.Benchmarks.Code.Sandbox;
using Retain.Data;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Code;

/// <summary>Options of <c>mbpp</c>.</summary>
public sealed class MbppOptions
{
    /// <summary>The full MBPP file.</summary>
    [Description("MBPP full release (mbpp.jsonl: text, code, task_id, test_list, ...), relative to the data roots.")]
    [Required]
    public string DataPath { get; set; } = "mbpp/mbpp.jsonl";

    /// <summary>Generation budget.</summary>
    [Description("Maximum new tokens per completion (lm-eval default 256).")]
    [Range(1, 65536)]
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>Sampling.</summary>
    [Description("Completions per problem and sampling settings.")]
    public CodeSamplingOptions Sampling { get; set; } = new();

    /// <summary>Sandbox limits.</summary>
    [Description("Limits of the python3 sandbox the tests run in.")]
    public SandboxOptions Sandbox { get; set; } = new();
}

/// <summary>One MBPP row.</summary>
public sealed record MbppTask(int TaskId, string Text, string Code, IReadOnlyList<string> Tests);

/// <summary>
/// lm-eval <c>mbpp</c> (config <c>full</c>, test split = task ids 11–510): three fixed shots (task ids 2, 3, 4, their
/// <c>\r\n</c> kept), <c>target_delimiter</c> "", the completion stopped at <c>[DONE]</c>, the program
/// <c>completion + "\n" + the three asserts</c>; <c>pass_at_1,none</c>.
/// </summary>
[RetainComponent("mbpp", Description = "MBPP 3-shot as lm-eval: pass@1 with sandboxed execution.", Options = typeof(MbppOptions))]
public sealed class MbppBenchmark(MbppOptions options) : IBenchmark
{
    /// <summary>The metric key.</summary>
    public const string Metric = "pass_at_1,none";

    /// <summary>The stop string.</summary>
    public static readonly string[] Stops = ["[DONE]"];

    /// <summary>Task ids of lm-eval's fixed few-shot examples.</summary>
    public static readonly int[] ShotIds = [2, 3, 4];

    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        NestedOptions.Validate("mbpp", ("Sampling", options.Sampling), ("Sandbox", options.Sandbox));
        return CodeEvaluation.Run("mbpp", Metric, model, Load(context.Data.Resolve(options.DataPath)), context, options.MaxNewTokens, Stops, options.Sampling, options.Sandbox);
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context)
    {
        NestedOptions.Validate("mbpp", ("Sandbox", options.Sandbox));
        return CodeEvaluation.ScoreResponses("mbpp", Metric, Load(context.Data.Resolve(options.DataPath)), responses, context, Stops, options.Sandbox, ResponseForm.AsCompletion);
    }

    /// <summary>The 500 test problems in file order, with the 3-shot prompt.</summary>
    public static List<CodeProblem> Load(string path)
    {
        var rows = DataFiles.ReadJsonl(path, (e, _) => new MbppTask(DataFiles.Int(e, "task_id"), DataFiles.String(e, "text"), DataFiles.String(e, "code"), DataFiles.Strings(e, "test_list")));
        var shots = ShotIds.Select(id => rows.FirstOrDefault(r => r.TaskId == id)
            ?? throw new DataException($"{path}: few-shot task_id {id} is missing.")).ToList();
        var shotText = new StringBuilder();
        foreach (var shot in shots) shotText.Append(DocText(shot, path)).Append(shot.Code).Append("\n[DONE]").Append("\n\n");
        string prefix = shotText.ToString();
        var test = rows.Where(r => r.TaskId is >= 11 and <= 510).ToList();
        if (test.Count != 500) throw new DataException($"{path}: expected the 500 test tasks 11-510, found {test.Count}.");
        return test.Select(t => new CodeProblem(t.TaskId.ToString(System.Globalization.CultureInfo.InvariantCulture), prefix + DocText(t, path),
            completion => Program(completion, t.Tests))).ToList();
    }

    /// <summary>lm-eval's <c>doc_to_text</c> (ends with <c>[BEGIN]\n</c>).</summary>
    public static string DocText(MbppTask task, string path)
    {
        if (task.Tests.Count < 3) throw new DataException($"{path}: task_id {task.TaskId} has {task.Tests.Count} tests; the prompt shows 3.");
        return $"You are an expert Python programmer, and here is your task: {task.Text} Your code should pass these tests:\n\n{task.Tests[0]}\n{task.Tests[1]}\n{task.Tests[2]}\n[BEGIN]\n";
    }

    /// <summary>The executed program: the completion, a newline, the asserts joined by newlines.</summary>
    public static CodeProgram Program(string completion, IReadOnlyList<string> tests) => new(completion, "\n" + string.Join("\n", tests));
}
