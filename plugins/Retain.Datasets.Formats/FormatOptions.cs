using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Retain.Data;

namespace Retain.Datasets.Formats;

/// <summary>How a format dataset's responses are graded.</summary>
public enum FormatEvaluation
{
    /// <summary>The whole response equals the reference (trimmed; see IgnoreCase and CompareNumbers).</summary>
    ExactMatch,
    /// <summary>The last match of Pattern (its first group, if any) in the response equals the reference's.</summary>
    Regex,
    /// <summary>The answer-extractor component named by Extractor, applied to the response and the reference.</summary>
    Extractor,
}

/// <summary>Which assistant turns of a multi-turn row are trained on.</summary>
public enum SupervisedTurns
{
    /// <summary>Only the final assistant turn; earlier turns are context (LLaMA-Factory's mask_history).</summary>
    Last,
    /// <summary>Every assistant turn (TRL's assistant_only_loss, LLaMA-Factory's default for multi-turn data).</summary>
    All,
}

/// <summary>Options every format dataset shares: files, splits, prompt, grading, bad rows.</summary>
public abstract class FormatOptions
{
    /// <summary>Training file.</summary>
    [Description("The data: a JSONL, JSON-array, Parquet or Arrow IPC file, a folder of shards, or a dataset folder (a hub-cache datasets--org--name folder too) whose train files are chosen by name (train-00000-of-00002.parquet, train/data-00000-of-00001.arrow). Without ValidationPath/TestPath it is also the source of those splits: a dataset folder's validation and test files, else a held-out share.")]
    [Required(AllowEmptyStrings = false)]
    public string TrainPath { get; set; } = "";

    /// <summary>Validation file.</summary>
    [Description("Validation file or folder in the same format; unset: TrainPath's validation files when it is a dataset folder that has them, else ValidationFraction of TrainPath.")]
    public string? ValidationPath { get; set; }

    /// <summary>Test file.</summary>
    [Description("Test file or folder in the same format; unset: TrainPath's test files when it is a dataset folder that has them, else TestFraction of TrainPath.")]
    public string? TestPath { get; set; }

    /// <summary>Validation share when there is no validation file.</summary>
    [Description("Share of TrainPath held out for validation when ValidationPath is unset (rows ranked by a seeded hash of their content).")]
    [Range(0.0, 0.99)]
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Test share when there is no test file.</summary>
    [Description("Share of TrainPath held out for test when TestPath is unset.")]
    [Range(0.0, 0.99)]
    public double TestFraction { get; set; } = 0.05;

    /// <summary>Split seed.</summary>
    [Description("Seed of the held-out splits; unset uses the run's seed.")]
    public int? Seed { get; set; }

    /// <summary>Default system message.</summary>
    [Description("System message for rows that have none; unset: none.")]
    public string? SystemPrompt { get; set; }

    /// <summary>Reference field.</summary>
    [Description("Row field holding the answer to grade against; rows without it are graded against their target.")]
    public string ReferenceField { get; set; } = "reference";

    /// <summary>Id column.</summary>
    [Description("Row field holding the example id; rows without it are named file:line.")]
    [Required(AllowEmptyStrings = false)]
    public string IdField { get; set; } = "id";

    /// <summary>Which assistant turns are supervised.</summary>
    [Description("Multi-turn rows (chat messages, Alpaca history): Last trains on the final assistant turn only (earlier turns are context), All on every assistant turn.")]
    public SupervisedTurns SupervisedTurns { get; set; } = SupervisedTurns.Last;

    /// <summary>Grading rule.</summary>
    [Description("ExactMatch, Regex (Pattern) or Extractor (an answer-extractor component named by Extractor).")]
    public FormatEvaluation Evaluation { get; set; } = FormatEvaluation.ExactMatch;

    /// <summary>Regex for Evaluation = Regex.</summary>
    [Description("Evaluation = Regex: the pattern; the last match's first group (or whole match) is the answer.")]
    public string? Pattern { get; set; }

    /// <summary>Extractor name for Evaluation = Extractor.</summary>
    [Description("Evaluation = Extractor: the answer-extractor component (last-number, gsm8k-strict, gsm8k-flexible, json-answer, boxed, answer-tag, or a plugin's).")]
    public string? Extractor { get; set; }

    /// <summary>Case-insensitive comparison.</summary>
    [Description("Compare answers ignoring case.")]
    public bool IgnoreCase { get; set; }

    /// <summary>Numeric comparison.</summary>
    [Description("When both answers read as numbers (after removing ',' '$' and a final '.'), compare them as numbers.")]
    public bool CompareNumbers { get; set; } = true;

    /// <summary>Generation budget.</summary>
    [Description("Token budget for generating a response.")]
    [Range(1, 1_000_000)]
    public int MaxNewTokens { get; set; } = 512;

    /// <summary>Stop strings.</summary>
    [Description("Strings that end generation (besides the model's end-of-sequence tokens).")]
    public List<string> Stop { get; set; } = [];

    /// <summary>Bad-row policy.</summary>
    [Description("Rows that cannot be used (invalid JSON, unknown schema or role, empty target): Fail stops with file:line, Skip skips and reports them.")]
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;
}

/// <summary>Options of the <c>jsonl</c> dataset: the chat columns and message keys.</summary>
public sealed class JsonlOptions : FormatOptions
{
    /// <summary>Messages column.</summary>
    [Description("Row field holding the conversation, a list of messages (ShareGPT data: conversations).")]
    [Required(AllowEmptyStrings = false)]
    public string MessagesField { get; set; } = "messages";

    /// <summary>Prompt column.</summary>
    [Description("Row field holding the prompt of prompt/completion rows (a string or a list of messages).")]
    [Required(AllowEmptyStrings = false)]
    public string PromptField { get; set; } = "prompt";

    /// <summary>Completion column.</summary>
    [Description("Row field holding the completion of prompt/completion rows (a string or one assistant message).")]
    [Required(AllowEmptyStrings = false)]
    public string CompletionField { get; set; } = "completion";

    /// <summary>Role key of a message.</summary>
    [Description("Key of a message's role (ShareGPT: from).")]
    [Required(AllowEmptyStrings = false)]
    public string RoleKey { get; set; } = "role";

    /// <summary>Content key of a message.</summary>
    [Description("Key of a message's text (ShareGPT: value).")]
    [Required(AllowEmptyStrings = false)]
    public string ContentKey { get; set; } = "content";

    /// <summary>User role name.</summary>
    [Description("Role name of user messages (ShareGPT: human).")]
    [Required(AllowEmptyStrings = false)]
    public string UserRole { get; set; } = "user";

    /// <summary>Assistant role name.</summary>
    [Description("Role name of assistant messages (ShareGPT: gpt).")]
    [Required(AllowEmptyStrings = false)]
    public string AssistantRole { get; set; } = "assistant";

    /// <summary>System role name.</summary>
    [Description("Role name of system messages.")]
    [Required(AllowEmptyStrings = false)]
    public string SystemRole { get; set; } = "system";
}

/// <summary>Options of the <c>alpaca</c> dataset: its columns.</summary>
public sealed class AlpacaOptions : FormatOptions
{
    /// <summary>Instruction column.</summary>
    [Description("Row field holding the instruction.")]
    [Required(AllowEmptyStrings = false)]
    public string InstructionField { get; set; } = "instruction";

    /// <summary>Input column.</summary>
    [Description("Row field holding the optional input, joined to the instruction with a newline.")]
    [Required(AllowEmptyStrings = false)]
    public string InputField { get; set; } = "input";

    /// <summary>Output column.</summary>
    [Description("Row field holding the target response.")]
    [Required(AllowEmptyStrings = false)]
    public string OutputField { get; set; } = "output";

    /// <summary>System column.</summary>
    [Description("Row field holding an optional system message.")]
    [Required(AllowEmptyStrings = false)]
    public string SystemField { get; set; } = "system";

    /// <summary>History column.</summary>
    [Description("Row field holding optional earlier turns, a list of [instruction, response] pairs.")]
    [Required(AllowEmptyStrings = false)]
    public string HistoryField { get; set; } = "history";
}

/// <summary>Checks the <see cref="FormatOptions"/> rules that span several options.</summary>
public sealed class FormatOptionsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : FormatOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.TrainPath)) failures.Add("trainPath: set the data file.");
        double held = (options.ValidationPath is null ? options.ValidationFraction : 0) + (options.TestPath is null ? options.TestFraction : 0);
        if (held >= 1) failures.Add($"validationFraction + testFraction ({held}) must be below 1 so that trainPath leaves rows to train on.");
        switch (options.Evaluation)
        {
            case FormatEvaluation.Regex when string.IsNullOrEmpty(options.Pattern):
                failures.Add("pattern: evaluation is regex but no pattern is set.");
                break;
            case FormatEvaluation.Regex:
                try
                {
                    _ = new Regex(options.Pattern!);
                }
                catch (ArgumentException e)
                {
                    failures.Add($"pattern: '{options.Pattern}' is not a valid regular expression: {e.Message}");
                }
                break;
            case FormatEvaluation.Extractor when string.IsNullOrWhiteSpace(options.Extractor):
                failures.Add("extractor: evaluation is extractor but no answer-extractor name is set (e.g. last-number).");
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
