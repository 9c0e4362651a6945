using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Retain.Data;

namespace Retain.Datasets.MathProblems;

/// <summary>Options the math datasets share: prompt, validation hold-out, bad rows, generation.</summary>
public abstract class MathOptions
{
    /// <summary>The placeholder the prompt template must contain.</summary>
    public const string QuestionPlaceholder = "{question}";

    /// <summary>User message template.</summary>
    [Description("User message template; {question} is replaced by the problem. Default: the problem alone.")]
    [Required(AllowEmptyStrings = false)]
    public string PromptTemplate { get; set; } = QuestionPlaceholder;

    /// <summary>Optional system message.</summary>
    [Description("System message, or unset for none.")]
    public string? SystemPrompt { get; set; }

    /// <summary>Validation share of the training file.</summary>
    [Description("Share of the training rows held out for validation (ranked by a seeded hash of the row's question).")]
    [Range(0.0, 0.99)]
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Split seed.</summary>
    [Description("Seed of the validation hold-out; unset uses the run's seed.")]
    public int? Seed { get; set; }

    /// <summary>Bad-row policy.</summary>
    [Description("Rows that cannot be used (invalid JSON, missing or empty fields, no final answer): Fail stops with file:line, Skip skips and reports them.")]
    public BadRowPolicy BadRows { get; set; } = BadRowPolicy.Fail;

    /// <summary>Generation budget.</summary>
    [Description("Token budget for generating a solution (lm-eval's gsm8k uses 256).")]
    [Range(1, 1_000_000)]
    public int MaxNewTokens { get; set; } = 512;
}

/// <summary>Checks that a math prompt template can hold the question.</summary>
public sealed class MathOptionsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : MathOptions
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        options.PromptTemplate?.Contains(MathOptions.QuestionPlaceholder, StringComparison.Ordinal) == true
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"promptTemplate must contain {MathOptions.QuestionPlaceholder} (it is '{options.PromptTemplate}').");
}

/// <summary>Options of the <c>gsm8k</c> dataset.</summary>
public sealed class Gsm8kOptions : MathOptions
{
    /// <summary>Training file.</summary>
    [Description("GSM8K train JSONL (question, answer); a subset file with the same schema works too.")]
    [Required(AllowEmptyStrings = false)]
    public string TrainPath { get; set; } = "gsm8k/train.jsonl";

    /// <summary>Test file.</summary>
    [Description("GSM8K test JSONL (question, answer).")]
    [Required(AllowEmptyStrings = false)]
    public string TestPath { get; set; } = "gsm8k/test.jsonl";

    /// <summary>Whether to keep &lt;&lt;48/2=24&gt;&gt; annotations in targets.</summary>
    [Description("Keep GSM8K's calculator annotations (<<48/2=24>>) in the training targets, as lm-eval's few-shot answers do; false removes them.")]
    public bool KeepCalculatorAnnotations { get; set; } = true;
}

/// <summary>Options of the <c>metamathqa</c> dataset.</summary>
public sealed class MetaMathQaOptions : MathOptions
{
    /// <summary>Holds out about 1,000 of MetaMathQA's 395k rows for validation by default.</summary>
    public MetaMathQaOptions() => ValidationFraction = 0.0025;

    /// <summary>Training file.</summary>
    [Description("MetaMathQA JSON (an array, as MetaMathQA-395K.json) or JSONL with query, response, type.")]
    [Required(AllowEmptyStrings = false)]
    public string TrainPath { get; set; } = "metamathqa/MetaMathQA-395K.json";

    /// <summary>Test file (GSM8K test).</summary>
    [Description("The evaluation set: GSM8K test JSONL (question, answer).")]
    [Required(AllowEmptyStrings = false)]
    public string TestPath { get; set; } = "gsm8k/test.jsonl";

    /// <summary>Types to keep.</summary>
    [Description("MetaMathQA types to train on (e.g. GSM_AnsAug, GSM_Rephrased, GSM_SV, GSM_FOBAR, MATH_AnsAug, ...); empty keeps all.")]
    public List<string> Types { get; set; } = [];
}
