using Retain.Data;

namespace Retain.Datasets.MathProblems;

/// <summary>Turns math problems into examples with the configured prompt.</summary>
internal static class MathExamples
{
    public static Example From(MathProblem problem, MathOptions options, string target)
    {
        var prompt = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(options.SystemPrompt)) prompt.Add(ChatMessage.System(options.SystemPrompt));
        prompt.Add(ChatMessage.User(options.PromptTemplate.Replace(MathOptions.QuestionPlaceholder, problem.Question, StringComparison.Ordinal)));
        var metadata = new Dictionary<string, string>();
        if (problem.Type.Length > 0) metadata["type"] = problem.Type;
        return new Example
        {
            Id = problem.Id,
            Prompt = prompt,
            Target = target,
            Reference = problem.FinalAnswer,
            Source = problem.Source,
            Metadata = metadata,
        };
    }
}
