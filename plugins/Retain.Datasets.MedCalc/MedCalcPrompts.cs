using Retain.Data;
using Retain.Datasets.Text;

namespace Retain.Datasets.MedCalc;

/// <summary>Which prompt and target format a MedCalc dataset uses.</summary>
public enum MedCalcPromptStyle
{
    /// <summary>MedCalc-Bench's <c>zero_shot</c>: the model answers a JSON dict with <c>step_by_step_thinking</c> and <c>answer</c>.</summary>
    ZeroShot,
    /// <summary>MedCalc-Bench's <c>one_shot</c>: zero-shot plus the calculator's worked exemplar in the system message.</summary>
    OneShot,
    /// <summary>MedCalc-Bench's <c>direct_answer</c>: the model answers <c>{"answer": ...}</c> only; the target has no reasoning.</summary>
    DirectAnswer,
    /// <summary>The paper's Table 4 prompt: reasoning in one &lt;think&gt; block, then <c>{"answer": ...}</c> inside &lt;answer&gt; tags.</summary>
    Paper,
}

/// <summary>A worked exemplar for the one-shot prompt.</summary>
/// <param name="PatientNote">The exemplar's patient note.</param>
/// <param name="OutputJson">The exemplar's response exactly as <c>json.dumps</c> writes it.</param>
public sealed record MedCalcExemplar(string PatientNote, string OutputJson);

/// <summary>
/// MedCalc-Bench's prompts (<c>evaluation/run.py</c>, version-1.0: the one-shot exemplar task is the row's own
/// question) and the paper's Table 4 prompt, with the SFT target each implies: the Ground Truth Explanation and the
/// final answer in the format the prompt asks for.
/// </summary>
public static class MedCalcPrompts
{
    private const string ThinkingJsonFormat = "{\"step_by_step_thinking\": str(your_step_by_step_thinking_procress_to_solve_the_question), \"answer\": str(short_and_direct_answer_of_the_question)}";
    private const string ThinkingSystem = "You are a helpful assistant for calculating a score for a given patient note. Please think step-by-step to solve the question and then generate the required score. Your output should only contain a JSON dict formatted as " + ThinkingJsonFormat + ".";
    private const string DirectJsonFormat = "{\"answer\": str(value which is the answer to the question)}";

    /// <summary>The paper's system message (Table 4).</summary>
    public const string PaperSystem = "You are a helpful assistant. You first think about the reasoning process in the mind and then provide the user with the answer.";

    /// <summary>The text the paper's assistant turn starts with (Table 4).</summary>
    public const string PaperResponsePrefix = "Let me solve this step by step.\n<think>";

    /// <summary>The system and user messages for a row.</summary>
    public static IReadOnlyList<ChatMessage> Prompt(MedCalcPromptStyle style, MedCalcRow row, MedCalcExemplar? exemplar = null) => style switch
    {
        MedCalcPromptStyle.ZeroShot =>
        [
            ChatMessage.System(ThinkingSystem),
            ChatMessage.User($"Here is the patient note:\n{row.PatientNote}\n\nHere is the task:\n{row.Question}\n\nPlease directly output the JSON dict formatted as {ThinkingJsonFormat}:"),
        ],
        MedCalcPromptStyle.DirectAnswer =>
        [
            ChatMessage.System("You are a helpful assistant for calculating a score for a given patient note. Please output answer only without any other text. Your output should only contain a JSON dict formatted as " + DirectJsonFormat + "."),
            ChatMessage.User($"Here is the patient note:\n{row.PatientNote}\n\nHere is the task:\n{row.Question}\n\nPlease directly output the JSON dict formatted as {DirectJsonFormat}:"),
        ],
        MedCalcPromptStyle.OneShot => OneShot(row, exemplar ?? throw new ArgumentNullException(nameof(exemplar), "the one-shot prompt needs the calculator's exemplar")),
        MedCalcPromptStyle.Paper =>
        [
            ChatMessage.System(PaperSystem),
            ChatMessage.User(
                "You are a helpful assistant for calculating a score for a given patient note. Please think step-by-step to solve the question and then generate the required score.\n"
                + $"Here is the patient note:\n{row.PatientNote}\nHere is the task:\n{row.Question}\n"
                + "Please show your entire reasoning process in a single <think> </think> block (do not open or close the tag more than once).\n"
                + "Your final response must be in JSON format within <answer> </answer> tags. For example,\n"
                + "<think>\n[entire reasoning process here]\n</think>\n<answer>\n{\"answer\": str(short_and_direct_answer_of_the_question)}\n</answer>"),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
    };

    /// <summary>The SFT target for a row (it continues <see cref="ResponsePrefix"/>).</summary>
    public static string Target(MedCalcPromptStyle style, MedCalcRow row) => style switch
    {
        MedCalcPromptStyle.ZeroShot or MedCalcPromptStyle.OneShot => PythonJson.Dumps(
            [new("step_by_step_thinking", row.Explanation), new("answer", row.GroundTruthAnswer)], asciiOnly: false),
        MedCalcPromptStyle.DirectAnswer => PythonJson.Dumps([new("answer", row.GroundTruthAnswer)], asciiOnly: false),
        MedCalcPromptStyle.Paper => $"\n{row.Explanation.Trim()}\n</think>\n<answer>\n{PythonJson.Dumps([new("answer", row.GroundTruthAnswer)], asciiOnly: false)}\n</answer>",
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, null),
    };

    /// <summary>The text the assistant's turn starts with: the paper's prefill, else nothing.</summary>
    public static string ResponsePrefix(MedCalcPromptStyle style) => style == MedCalcPromptStyle.Paper ? PaperResponsePrefix : "";

    private static IReadOnlyList<ChatMessage> OneShot(MedCalcRow row, MedCalcExemplar exemplar)
    {
        // run.py keeps the first sentence's doubled braces literally (it is not an f-string there).
        string system = ThinkingSystem.Replace("{\"step", "{{\"step", StringComparison.Ordinal).Replace("question)}.", "question)}}.", StringComparison.Ordinal)
            + $"Here is an example patient note:\n\n{exemplar.PatientNote}"
            + $"\n\nHere is an example task:\n\n{row.Question}"
            + "\n\nPlease directly output the JSON dict formatted as {\"step_by_step_thinking\": str(your_step_by_step_thinking_procress_to_solve_the_question), \"answer\": str(value which is the answer to the question)}:"
            + $"\n\n{exemplar.OutputJson}";
        return
        [
            ChatMessage.System(system),
            ChatMessage.User($"Here is the patient note:\n\n{row.PatientNote}\n\nHere is the task:\n\n{row.Question}\n\nPlease directly output the JSON dict formatted as {ThinkingJsonFormat}:"),
        ];
    }
}
