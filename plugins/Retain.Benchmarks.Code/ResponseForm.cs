namespace Retain.Benchmarks.Code;

/// <summary>A response brought with <c>--responses</c>, as the completion the benchmark's program needs.</summary>
/// <param name="Completion">The text after the prompt, before the stop strings are applied.</param>
/// <param name="Form">What the response was: <c>completion</c> or <c>prompt+completion</c> (recorded per item).</param>
public sealed record ResponseForm(string Completion, string Form)
{
    /// <summary>The response is the completion itself.</summary>
    public const string CompletionOnly = "completion";

    /// <summary>The response repeats the problem's prompt, then the completion.</summary>
    public const string PromptAndCompletion = "prompt+completion";

    /// <summary>
    /// HumanEval: lm-eval's samples hold completions, but many generation tools save prompt + completion (a whole
    /// function). A response that starts with the problem's prompt has it stripped; any other is the completion.
    /// </summary>
    public static ResponseForm HumanEval(string prompt, string response) =>
        prompt.Length > 0 && response.StartsWith(prompt, StringComparison.Ordinal)
            ? new ResponseForm(response[prompt.Length..], PromptAndCompletion)
            : new ResponseForm(response, CompletionOnly);

    /// <summary>MBPP (and any benchmark whose prompt is few-shot text): the response is the completion.</summary>
    public static ResponseForm AsCompletion(string prompt, string response) => new(response, CompletionOnly);
}
