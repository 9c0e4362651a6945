using Retain.Benchmarks.Code.Sandbox;
using Retain.Evaluation;

namespace Retain.Benchmarks.Code;

/// <summary>Generation settings shared by the code benchmarks.</summary>
public sealed class CodeSamplingOptions
{
    /// <summary>Completions per problem.</summary>
    [System.ComponentModel.Description("Completions per problem (n of pass@k); more than 1 needs Temperature > 0.")]
    [System.ComponentModel.DataAnnotations.Range(1, 200)]
    public int Samples { get; set; } = 1;

    /// <summary>Sampling temperature.</summary>
    [System.ComponentModel.Description("Sampling temperature (0 = greedy, lm-eval's setting).")]
    [System.ComponentModel.DataAnnotations.Range(0.0, 5.0)]
    public double Temperature { get; set; }

    /// <summary>Nucleus mass.</summary>
    [System.ComponentModel.Description("Nucleus sampling mass when Temperature > 0.")]
    [System.ComponentModel.DataAnnotations.Range(0.0, 1.0)]
    public double TopP { get; set; } = 1.0;
}

/// <summary>Generates completions, executes them in the sandbox and reports pass@1.</summary>
internal static class CodeEvaluation
{
    /// <summary>Runs the model on the selected problems and scores the completions.</summary>
    public static BenchmarkResult Run(string benchmark, string metric, ILanguageModel model, IReadOnlyList<CodeProblem> problems,
        BenchmarkContext context, int maxNewTokens, IReadOnlyList<string> stops, CodeSamplingOptions sampling, SandboxOptions sandboxOptions)
    {
        if (sampling.Samples > 1 && sampling.Temperature <= 0)
        {
            throw new InvalidOperationException($"{benchmark}: Samples={sampling.Samples} needs Temperature > 0; greedy decoding would repeat one completion.");
        }
        var sandbox = new PythonSandbox(sandboxOptions);
        var ids = DocSelection.Select(problems.Count, context);
        var requests = new List<GenerationRequest>();
        foreach (var id in ids)
        {
            for (int s = 0; s < sampling.Samples; s++)
            {
                var settings = new GenerationSettings(maxNewTokens, stops, sampling.Temperature, sampling.TopP, context.Seed + s);
                requests.Add(new GenerationRequest(problems[id].Prompt, settings));
            }
        }
        var completions = model.Generate(requests, new ProgressAdapter(context.Progress, requests.Count * 2), context.CancellationToken);
        var grouped = ids.Select((id, k) => (id, Enumerable.Range(k * sampling.Samples, sampling.Samples).Select(j => StopStrings.Truncate(completions[j], stops)).ToList())).ToList();
        return Score(benchmark, metric, problems, grouped, context, sandbox, sandboxOptions, progressOffset: requests.Count, progressTotal: requests.Count * 2, forms: null);
    }

    /// <summary>
    /// Scores completions produced elsewhere (one per listed doc): each response is read into a completion by
    /// <paramref name="read"/> (its form goes into the records), then cut at the stop strings as a generation would be.
    /// </summary>
    public static BenchmarkResult ScoreResponses(string benchmark, string metric, IReadOnlyList<CodeProblem> problems,
        IReadOnlyList<ResponseRecord> responses, BenchmarkContext context, IReadOnlyList<string> stops, SandboxOptions sandboxOptions,
        Func<string, string, ResponseForm> read)
    {
        var ordered = Responses.Validate(responses, problems.Count, benchmark);
        var forms = ordered.Select(r => read(problems[r.DocId].Prompt, r.Response)).ToList();
        var grouped = ordered.Select((r, i) => (r.DocId, new List<string> { StopStrings.Truncate(forms[i].Completion, stops) })).ToList();
        var result = Score(benchmark, metric, problems, grouped, context, new PythonSandbox(sandboxOptions), sandboxOptions, 0, ordered.Count,
            forms.Select(f => f.Form).ToList());
        return Responses.WithCoverage(result, ordered.Count, problems.Count);
    }

    private static BenchmarkResult Score(string benchmark, string metric, IReadOnlyList<CodeProblem> problems,
        List<(int DocId, List<string> Completions)> grouped, BenchmarkContext context, PythonSandbox sandbox, SandboxOptions sandboxOptions,
        int progressOffset, int progressTotal, IReadOnlyList<string>? forms)
    {
        var programs = grouped.SelectMany(g => g.Completions.Select(c => problems[g.DocId].BuildProgram(c))).ToList();
        var outcomes = sandbox.RunAll(programs, new ProgressAdapter(context.Progress, progressTotal, progressOffset), context.CancellationToken);
        var scores = new List<double>();
        int offset = 0, item = 0;
        foreach (var (docId, completions) in grouped)
        {
            var results = Enumerable.Range(offset, completions.Count).Select(j => outcomes[j]).ToList();
            offset += completions.Count;
            int passed = results.Count(r => r.Passed);
            double passAt1 = PassAtK.Estimate(completions.Count, passed, 1);
            scores.Add(passAt1);
            for (int s = 0; s < completions.Count; s++)
            {
                context.Records.Add(new ItemRecord(docId, problems[docId].Prompt, completions[s], null, results[s].Passed)
                {
                    Details = new Dictionary<string, object?>
                    {
                        ["task_id"] = problems[docId].TaskId,
                        ["sample"] = s,
                        ["outcome"] = Describe(results[s].Outcome, sandboxOptions),
                        ["seconds"] = Math.Round(results[s].Elapsed.TotalSeconds, 3),
                        ["pass@1"] = passAt1,
                        ["sandbox"] = sandbox.Description,
                        ["response_form"] = forms?[item],
                    },
                });
            }
            item++;
        }
        var result = new BenchmarkResult(benchmark, [Statistics.Mean(metric, scores)]);
        return scores.Count > 0 && scores.All(x => x == 0) ? result with { Notes = [WhyAllFailed(grouped, outcomes, forms, sandboxOptions)] } : result;
    }

    // The sandbox says "timed out"; the records say after how long, so a slow machine's timeouts are recognisable.
    private static string Describe(string outcome, SandboxOptions options) =>
        outcome == "timed out" ? $"timed out at {options.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)} s" : outcome;

    // A whole benchmark at 0 is more often a format problem than a model: say what the completions looked like.
    private static string WhyAllFailed(List<(int DocId, List<string> Completions)> grouped, IReadOnlyList<ExecutionResult> outcomes,
        IReadOnlyList<string>? forms, SandboxOptions options)
    {
        int total = outcomes.Count;
        int empty = grouped.Sum(g => g.Completions.Count(c => PythonText.Strip(c).Length == 0));
        var common = outcomes.GroupBy(o => Describe(o.Outcome, options)).OrderByDescending(g => g.Count()).First();
        string formText = forms is null ? "" : "; response forms: " + string.Join(", ", forms.GroupBy(f => f).Select(g => $"{g.Count()} {g.Key}"));
        return $"every one of the {total} programs failed: {empty} completions were empty after cutting at the stop strings{formText}; "
            + $"most common outcome: '{common.Key}' ({common.Count()}); check the records' response and outcome fields";
    }
}
