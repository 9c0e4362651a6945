using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Retain.Benchmarks.Code.Sandbox;
using Retain.Evaluation;
using Retain.Plugins;

namespace Retain.Benchmarks.Code;

/// <summary>Options of <c>humaneval</c>.</summary>
public sealed class HumanEvalOptions
{
    /// <summary>The problems file.</summary>
    [Description("HumanEval problems (JSONL or .jsonl.gz with task_id, prompt, entry_point, test), relative to the data roots.")]
    [Required]
    public string DataPath { get; set; } = "humaneval/HumanEval.jsonl.gz";

    /// <summary>Generation budget.</summary>
    [Description("Maximum new tokens per completion (lm-eval 1024).")]
    [Range(1, 65536)]
    public int MaxNewTokens { get; set; } = 1024;

    /// <summary>Sampling.</summary>
    [Description("Completions per problem and sampling settings.")]
    public CodeSamplingOptions Sampling { get; set; } = new();

    /// <summary>Sandbox limits.</summary>
    [Description("Limits of the python3 sandbox the tests run in.")]
    public SandboxOptions Sandbox { get; set; } = new();
}

/// <summary>
/// lm-eval <c>humaneval</c>: the prompt as is, greedy completion stopped at <c>\nclass</c>, <c>\ndef</c>, <c>\n#</c>,
/// <c>\nif</c>, <c>\nprint</c>; the program <c>prompt + completion + "\n" + test + "\ncheck(entry_point)"</c> run in
/// the sandbox; <c>pass@1,create_test</c>. Responses scored with <c>--responses</c> may be completions or prompt +
/// completion (<see cref="ResponseForm.HumanEval"/>).
/// </summary>
[RetainComponent("humaneval", Description = "HumanEval 0-shot as lm-eval: pass@1 with sandboxed execution.", Options = typeof(HumanEvalOptions))]
public sealed class HumanEvalBenchmark(HumanEvalOptions options) : IBenchmark
{
    /// <summary>lm-eval's stop strings.</summary>
    public static readonly string[] Stops = ["\nclass", "\ndef", "\n#", "\nif", "\nprint"];

    /// <summary>The metric key.</summary>
    public const string Metric = "pass@1,create_test";

    /// <inheritdoc />
    public BenchmarkResult Run(ILanguageModel model, BenchmarkContext context)
    {
        NestedOptions.Validate("humaneval", ("Sampling", options.Sampling), ("Sandbox", options.Sandbox));
        return CodeEvaluation.Run("humaneval", Metric, model, Load(context.Data.Resolve(options.DataPath)), context, options.MaxNewTokens, Stops, options.Sampling, options.Sandbox);
    }

    /// <inheritdoc />
    public BenchmarkResult Score(IReadOnlyList<ResponseRecord> responses, BenchmarkContext context)
    {
        NestedOptions.Validate("humaneval", ("Sandbox", options.Sandbox));
        return CodeEvaluation.ScoreResponses("humaneval", Metric, Load(context.Data.Resolve(options.DataPath)), responses, context, Stops, options.Sandbox, ResponseForm.HumanEval);
    }

    /// <summary>Reads the problems.</summary>
    public static List<CodeProblem> Load(string path) => DataFiles.ReadJsonl(path, (e, _) =>
    {
        string prompt = DataFiles.String(e, "prompt");
        string test = DataFiles.String(e, "test");
        string entryPoint = DataFiles.String(e, "entry_point");
        return new CodeProblem(DataFiles.String(e, "task_id"), prompt, completion => Program(prompt, completion, test, entryPoint));
    });

    /// <summary>The executed program: <c>prompt + completion</c>, then the tests <c>"\n" + test + "\ncheck(entry_point)"</c>.</summary>
    public static CodeProgram Program(string prompt, string completion, string test, string entryPoint) =>
        new(prompt + completion, "\n" + test + "\ncheck(" + entryPoint + ")");
}
