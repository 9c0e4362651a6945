using Retain.Benchmarks.IFEval.Instructions;
using Retain.Evaluation;

namespace Retain.Benchmarks.IFEval;

/// <summary>Strict and loose verdicts for one response (lm-eval <c>utils.py</c>).</summary>
public sealed record IFEvalVerdict(IReadOnlyList<bool> Strict, IReadOnlyList<bool> Loose)
{
    /// <summary>All instructions followed, strictly.</summary>
    public bool PromptStrict => Strict.All(x => x);

    /// <summary>All instructions followed, loosely.</summary>
    public bool PromptLoose => Loose.All(x => x);
}

/// <summary>lm-eval's IFEval scoring: strict (the response as is) and loose (any of 8 variants).</summary>
public static class IFEvalScoring
{
    /// <summary>
    /// The 8 loose variants in lm-eval's order: the response, without <c>*</c>, without its first line, without its last
    /// line, without both, and those three without <c>*</c>. Lines split on "\n"; the line-dropped ones are stripped.
    /// </summary>
    public static IReadOnlyList<string> LooseVariants(string response)
    {
        var lines = response.Split('\n');
        string removeFirst = PythonText.Strip(string.Join("\n", lines.Skip(1)));
        string removeLast = PythonText.Strip(string.Join("\n", lines.Take(lines.Length - 1)));
        string removeBoth = PythonText.Strip(string.Join("\n", lines.Skip(1).Take(Math.Max(0, lines.Length - 2))));
        return
        [
            response, response.Replace("*", ""), removeFirst, removeLast, removeBoth,
            removeFirst.Replace("*", ""), removeLast.Replace("*", ""), removeBoth.Replace("*", ""),
        ];
    }

    /// <summary>Judges one response against a document's instructions.</summary>
    public static IFEvalVerdict Judge(IReadOnlyList<IInstruction> instructions, string response)
    {
        var variants = LooseVariants(response);
        var strict = instructions.Select(i => PythonText.Strip(response).Length > 0 && i.IsFollowed(response)).ToList();
        var loose = instructions.Select(i => variants.Any(v => PythonText.Strip(v).Length > 0 && i.IsFollowed(v))).ToList();
        return new IFEvalVerdict(strict, loose);
    }

    /// <summary>
    /// The four metrics, instruction-level strict first (the paper's headline): prompt-level ones are means over
    /// prompts; instruction-level ones pool every instruction of every prompt (lm-eval's <c>agg_inst_level_acc</c>),
    /// and their stderr is the same pooled sample std / √(instructions) (lm-eval reports none for them).
    /// </summary>
    public static BenchmarkResult Result(string benchmark, IReadOnlyList<IFEvalVerdict> verdicts) => new(benchmark,
    [
        Statistics.Mean("inst_level_strict_acc,none", verdicts.SelectMany(v => v.Strict).ToList()),
        Statistics.Mean("prompt_level_strict_acc,none", verdicts.Select(v => v.PromptStrict).ToList()),
        Statistics.Mean("inst_level_loose_acc,none", verdicts.SelectMany(v => v.Loose).ToList()),
        Statistics.Mean("prompt_level_loose_acc,none", verdicts.Select(v => v.PromptLoose).ToList()),
    ]);
}
