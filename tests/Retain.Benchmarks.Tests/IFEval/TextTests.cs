using Retain.Benchmarks.IFEval.Text;
using Retain.Benchmarks.IFEval.Text.Punkt;

namespace Retain.Benchmarks.Tests.IFEval;

public class TextTests
{
    [Theory]
    [InlineData("Hello world. This is it.", 2)]
    [InlineData("Mr. Smith went to Washington. He stayed.", 2)]
    [InlineData("It costs 3.5 dollars. Really?! Yes.", 3)]
    [InlineData("He said \"stop.\" Then he left.", 2)]
    [InlineData("Wait... what happened? I don't know...", 2)]
    [InlineData("See e.g. the manual. Done.", 3)] // Punkt's English model does not know "e.g" as an abbreviation
    [InlineData("   ", 0)]
    [InlineData("No final period", 1)]
    [InlineData("Line one\nline two", 1)]
    public void Sentence_counts_are_nltk_punkt_english(string text, int expected) => PunktSentenceTokenizer.Count(text).ShouldBe(expected);

    [Theory]
    [InlineData("Hello, world!", 2)]
    [InlineData("state-of-the-art", 4)]
    [InlineData("it's 3.14", 4)]
    [InlineData("snake_case", 1)]
    [InlineData("नमस्ते दुनिया", 5)] // Python's \w excludes the combining vowel signs, so Devanagari words split at them.
    public void Word_counts_use_python_word_characters(string text, int expected) => WordTokenizer.CountWords(text).ShouldBe(expected);

    [Fact]
    public void Word_tokens_are_nltk_word_tokenize()
    {
        NltkWordTokenizer.Tokenize("\"DON'T stop,\" she said... (NOW)").ShouldBe(["``", "DO", "N'T", "stop", ",", "''", "she", "said", "...", "(", "NOW", ")"]);
    }

    [Theory]
    [InlineData("{\"a\": [1, -2.5e-3, true, null, \"x\\u00e9\"]}", true)]
    [InlineData("[NaN, Infinity, -Infinity]", true)]
    [InlineData("  \"just a string\"  ", true)]
    [InlineData("{\"a\": 1,}", false)]
    [InlineData("{'a': 1}", false)]
    [InlineData("01", false)]
    [InlineData("1.", false)]
    [InlineData("{\"a\": 1} trailing", false)]
    [InlineData("", false)]
    public void Json_validation_matches_python_json_loads(string text, bool expected) => PythonJson.IsValid(text).ShouldBe(expected);
}
