namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>startend:*</c> and <c>combination:*</c>.</summary>
internal static class StructureInstructions
{
    /// <summary><c>startend:end_checker</c>: stripped, quote-trimmed, lower-cased response ends with the phrase.</summary>
    public static IInstruction End(InstructionArgs a)
    {
        string phrase = PythonText.Strip(a.String("end_phrase")).ToLowerInvariant();
        return new Check(r => PythonText.Strip(r).Trim('"').ToLowerInvariant().EndsWith(phrase, StringComparison.Ordinal));
    }

    /// <summary><c>startend:quotation</c>: wrapped in double quotes.</summary>
    public static IInstruction Quotation(InstructionArgs a) => new Check(r =>
    {
        string v = PythonText.Strip(r);
        return PythonText.Length(v) > 1 && v[0] == '"' && v[^1] == '"';
    });

    /// <summary><c>combination:two_responses</c>: exactly two different responses separated by <c>******</c>.</summary>
    public static IInstruction TwoResponses(InstructionArgs a) => new Check(r =>
    {
        var pieces = r.Split("******");
        var kept = new List<string>();
        for (int i = 0; i < pieces.Length; i++)
        {
            if (PythonText.Strip(pieces[i]).Length == 0)
            {
                if (i != 0 && i != pieces.Length - 1) return false;
            }
            else kept.Add(pieces[i]);
        }
        return kept.Count == 2 && PythonText.Strip(kept[0]) != PythonText.Strip(kept[1]);
    });

    /// <summary><c>combination:repeat_prompt</c>: starts with the prompt to repeat (case-insensitive, stripped).</summary>
    public static IInstruction RepeatPrompt(InstructionArgs a)
    {
        string prompt = PythonText.Strip(a.String("prompt_to_repeat")).ToLowerInvariant();
        return new Check(r => PythonText.Strip(r).ToLowerInvariant().StartsWith(prompt, StringComparison.Ordinal));
    }
}
