namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary>lm-eval's 25 registered instruction ids (<c>instructions_registry.py</c>) and their checkers.</summary>
public static class InstructionRegistry
{
    private static readonly Dictionary<string, Func<InstructionArgs, IInstruction>> Factories = new()
    {
        ["keywords:existence"] = KeywordInstructions.Existence,
        ["keywords:frequency"] = KeywordInstructions.Frequency,
        ["keywords:forbidden_words"] = KeywordInstructions.ForbiddenWords,
        ["keywords:letter_frequency"] = KeywordInstructions.LetterFrequency,
        ["language:response_language"] = CaseInstructions.ResponseLanguage,
        ["length_constraints:number_sentences"] = LengthInstructions.Sentences,
        ["length_constraints:number_paragraphs"] = LengthInstructions.Paragraphs,
        ["length_constraints:number_words"] = LengthInstructions.Words,
        ["length_constraints:nth_paragraph_first_word"] = LengthInstructions.NthParagraphFirstWord,
        ["detectable_content:number_placeholders"] = ContentInstructions.Placeholders,
        ["detectable_content:postscript"] = ContentInstructions.Postscript,
        ["detectable_format:number_bullet_lists"] = FormatInstructions.BulletLists,
        ["detectable_format:constrained_response"] = FormatInstructions.ConstrainedResponse,
        ["detectable_format:number_highlighted_sections"] = FormatInstructions.Highlights,
        ["detectable_format:multiple_sections"] = FormatInstructions.Sections,
        ["detectable_format:json_format"] = FormatInstructions.Json,
        ["detectable_format:title"] = FormatInstructions.Title,
        ["combination:two_responses"] = StructureInstructions.TwoResponses,
        ["combination:repeat_prompt"] = StructureInstructions.RepeatPrompt,
        ["startend:end_checker"] = StructureInstructions.End,
        ["startend:quotation"] = StructureInstructions.Quotation,
        ["change_case:capital_word_frequency"] = CaseInstructions.CapitalWords,
        ["change_case:english_capital"] = CaseInstructions.EnglishCapital,
        ["change_case:english_lowercase"] = CaseInstructions.EnglishLowercase,
        ["punctuation:no_comma"] = KeywordInstructions.NoComma,
    };

    /// <summary>Every registered id.</summary>
    public static IReadOnlyCollection<string> Ids => Factories.Keys;

    /// <summary>Builds the checker for <paramref name="id"/> with its kwargs.</summary>
    public static IInstruction Create(string id, InstructionArgs args) =>
        Factories.TryGetValue(id, out var factory) ? factory(args) : throw new InstructionArgumentException($"unknown instruction id '{id}'");

    /// <summary>Builds a checker from a kwargs JSON object.</summary>
    public static IInstruction Create(string id, string kwargsJson) => Create(id, InstructionArgs.Parse(kwargsJson));
}
