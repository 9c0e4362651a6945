using Retain.Benchmarks.IFEval.Text;
using Retain.Benchmarks.IFEval.Text.Langdetect;

namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary><c>change_case:*</c> and <c>language:response_language</c>.</summary>
internal static class CaseInstructions
{
    /// <summary><c>capital_word_frequency</c>: <c>nltk.word_tokenize</c> tokens that are upper-case (Python isupper), by relation.</summary>
    public static IInstruction CapitalWords(InstructionArgs a)
    {
        int n = a.Int("capital_frequency");
        var relation = a.Relation("capital_relation");
        return new Check(r => relation.Holds(NltkWordTokenizer.Tokenize(r).Count(PythonText.IsUpper), n));
    }

    /// <summary><c>english_capital</c>: all upper-case and detected as English (undetectable passes, as in lm-eval).</summary>
    public static IInstruction EnglishCapital(InstructionArgs a) =>
        new Check(r => PythonText.IsUpper(r) && DetectedAs(r, "en"));

    /// <summary><c>english_lowercase</c>: all lower-case and detected as English.</summary>
    public static IInstruction EnglishLowercase(InstructionArgs a) =>
        new Check(r => PythonText.IsLower(r) && DetectedAs(r, "en"));

    /// <summary><c>language:response_language</c>: the detected language is the requested ISO 639-1 code.</summary>
    public static IInstruction ResponseLanguage(InstructionArgs a)
    {
        string language = a.String("language");
        return new Check(r => DetectedAs(r, language));
    }

    // langdetect raises on text without features and lm-eval counts that as followed; Detect returns null then.
    private static bool DetectedAs(string text, string language) => LanguageDetector.Detect(text) is not { } detected || detected == language;
}
