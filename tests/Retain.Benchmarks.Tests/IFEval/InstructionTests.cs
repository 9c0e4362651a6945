using Retain.Benchmarks.IFEval.Instructions;

namespace Retain.Benchmarks.Tests.IFEval;

/// <summary>Every registered instruction id on hand-made passing and failing responses.</summary>
public class InstructionTests
{
    public static readonly TheoryData<string, string, string, bool> Cases = new()
    {
        { "keywords:existence", """{"keywords": ["banana", "split"]}""", "I ate a BANANA split.", true },
        { "keywords:existence", """{"keywords": ["banana", "split"]}""", "I ate a banana.", false },
        { "keywords:frequency", """{"keyword": "cat", "frequency": 2, "relation": "at least"}""", "Cat and cat.", true },
        { "keywords:frequency", """{"keyword": "cat", "frequency": 2, "relation": "less than"}""", "Cat and catalog.", false },
        { "keywords:frequency", """{"keyword": "dog", "frequency": 2, "relation": "less than"}""", "One dog.", true },
        { "keywords:forbidden_words", """{"forbidden_words": ["red", "blue"]}""", "The sky is bluest and reddish.", true },
        { "keywords:forbidden_words", """{"forbidden_words": ["red", "blue"]}""", "The sky is Blue.", false },
        { "keywords:letter_frequency", """{"letter": "z", "let_frequency": 3, "let_relation": "at least"}""", "Zig zag zoo", true },
        { "keywords:letter_frequency", """{"letter": "z", "let_frequency": 3, "let_relation": "less than"}""", "Zig zag zoo", false },
        { "keywords:letter_frequency", """{"letter": "#", "let_frequency": 2, "let_relation": "at least"}""", "#one #two", true },
        { "language:response_language", """{"language": "de"}""", "Das ist ein kleiner Test, und er ist nicht schwer.", true },
        { "language:response_language", """{"language": "de"}""", "This is a small test, and it is not hard.", false },
        { "length_constraints:number_sentences", """{"num_sentences": 3, "relation": "less than"}""", "One. Two!", true },
        { "length_constraints:number_sentences", """{"num_sentences": 3, "relation": "less than"}""", "One. Two! Three?", false },
        { "length_constraints:number_paragraphs", """{"num_paragraphs": 2}""", "First part.\n***\nSecond part.", true },
        { "length_constraints:number_paragraphs", """{"num_paragraphs": 2}""", "First.\n***\n\n***\nSecond.", false },
        { "length_constraints:number_words", """{"num_words": 5, "relation": "at least"}""", "one two three four five", true },
        { "length_constraints:number_words", """{"num_words": 5, "relation": "at least"}""", "one two-three four", false },
        { "length_constraints:nth_paragraph_first_word", """{"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "Then"}""", "Start here.\n\n\"Then, we go.", true },
        { "length_constraints:nth_paragraph_first_word", """{"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "then"}""", "Start here.\n\nAfter that we go.", false },
        { "detectable_content:number_placeholders", """{"num_placeholders": 2}""", "Dear [name], at [address].", true },
        { "detectable_content:number_placeholders", """{"num_placeholders": 2}""", "Dear [name].", false },
        { "detectable_content:postscript", """{"postscript_marker": "P.S."}""", "Hello.\n\nP.S. See you.", true },
        { "detectable_content:postscript", """{"postscript_marker": "P.P.S"}""", "Hello.\n\nP.S. See you.", false },
        { "detectable_format:number_bullet_lists", """{"num_bullets": 2}""", "List:\n* one\n- two", true },
        { "detectable_format:number_bullet_lists", """{"num_bullets": 2}""", "List:\n* one\n**bold** two\n- three\n- four", false },
        { "detectable_format:constrained_response", "{}", "I thought about it. My answer is maybe.", true },
        { "detectable_format:constrained_response", "{}", "my answer is yes.", false },
        { "detectable_format:number_highlighted_sections", """{"num_highlights": 2}""", "*one* and **two**", true },
        { "detectable_format:number_highlighted_sections", """{"num_highlights": 2}""", "*one* and ** **", false },
        { "detectable_format:multiple_sections", """{"section_spliter": "Section", "num_sections": 2}""", "Section 1\nintro\nSection 2\nend", true },
        { "detectable_format:multiple_sections", """{"section_spliter": "Section", "num_sections": 2}""", "Section 1\nintro\nSection two", false },
        { "detectable_format:json_format", "{}", "```json\n{\"a\": [1, 2.5e3, NaN]}\n```", true },
        { "detectable_format:json_format", "{}", "{'a': 1}", false },
        { "detectable_format:title", "{}", "<<My Title>>\nText", true },
        { "detectable_format:title", "{}", "<< >>\nText", false },
        { "combination:two_responses", "{}", "Answer one.\n******\nAnswer two.", true },
        { "combination:two_responses", "{}", "Same.\n******\nSame.", false },
        { "combination:repeat_prompt", """{"prompt_to_repeat": "Write a poem."}""", "write a poem. Roses are red.", true },
        { "combination:repeat_prompt", """{"prompt_to_repeat": "Write a poem."}""", "Roses are red. Write a poem.", false },
        { "startend:end_checker", """{"end_phrase": "Any other questions?"}""", "Done. any other questions?\"", true },
        { "startend:end_checker", """{"end_phrase": "Any other questions?"}""", "Any other questions? Bye.", false },
        { "startend:quotation", "{}", "  \"Quoted answer\"  ", true },
        { "startend:quotation", "{}", "\"", false },
        { "change_case:capital_word_frequency", """{"capital_frequency": 2, "capital_relation": "at least"}""", "This is VERY IMPORTANT.", true },
        { "change_case:capital_word_frequency", """{"capital_frequency": 2, "capital_relation": "less than"}""", "DON'T do it.", false },
        { "change_case:english_capital", "{}", "THIS IS THE ANSWER, AND IT IS FINAL.", true },
        { "change_case:english_capital", "{}", "THIS IS THE ANSWER, and it is final.", false },
        { "change_case:english_lowercase", "{}", "this is the answer, and it is final.", true },
        { "change_case:english_lowercase", "{}", "das ist die antwort und sie ist nicht falsch.", false },
        { "punctuation:no_comma", "{}", "No commas here.", true },
        { "punctuation:no_comma", "{}", "One, two.", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Checker_verdict_matches_the_hand_made_case(string id, string kwargs, string response, bool expected) =>
        InstructionRegistry.Create(id, kwargs).IsFollowed(response).ShouldBe(expected);

    [Fact]
    public void Every_registered_id_has_a_passing_and_a_failing_case()
    {
        InstructionRegistry.Ids.Count.ShouldBe(25);
        foreach (var id in InstructionRegistry.Ids)
        {
            var verdicts = Cases.Where(c => (string)c[0] == id).Select(c => (bool)c[3]).ToList();
            verdicts.ShouldContain(true, id);
            verdicts.ShouldContain(false, id);
        }
    }

    [Fact]
    public void Null_kwargs_count_as_absent_and_arguments_needing_a_random_default_are_refused()
    {
        var args = InstructionArgs.Parse("""{"num_words": 0, "relation": "at least", "keywords": [], "x": null, "y": ""}""");
        args.Names.ShouldBe(["num_words", "relation", "keywords", "y"]);
        // 0 is kept, as google-research keeps it (lm-eval would drop it and draw a random count).
        InstructionRegistry.Create("length_constraints:number_words", args).IsFollowed("any text").ShouldBeTrue();
        Should.Throw<InstructionArgumentException>(() => InstructionRegistry.Create("keywords:existence", args)).Message.ShouldContain("keywords");
        Should.Throw<InstructionArgumentException>(() => InstructionRegistry.Create("length_constraints:number_sentences", """{"num_sentences": -1, "relation": "at least"}""")).Message.ShouldContain("negative");
    }

    [Fact]
    public void Keywords_are_unescaped_regular_expressions()
    {
        InstructionRegistry.Create("keywords:existence", """{"keywords": ["colou?r"]}""").IsFollowed("What color?").ShouldBeTrue();
    }

    [Fact]
    public void Language_checks_pass_when_there_is_nothing_to_detect()
    {
        InstructionRegistry.Create("language:response_language", """{"language": "hi"}""").IsFollowed("12345 !!!").ShouldBeTrue();
        InstructionRegistry.Create("change_case:english_capital", "{}").IsFollowed("Ⅷ Ⅻ").ShouldBeTrue(); // upper-case Roman numerals, no n-gram langdetect knows
        // "123 ABC" has features: langdetect (seed 0) says tl, so the official verdict is False.
        InstructionRegistry.Create("change_case:english_capital", "{}").IsFollowed("123 ABC").ShouldBeFalse();
    }

    [Theory]
    // Short answers langdetect (seed 0) does not call English: etchings → de, YES → cy, A → tl; the official verdict is False.
    [InlineData("change_case:english_lowercase", "etchings", false)]
    [InlineData("change_case:english_capital", "YES", false)]
    [InlineData("change_case:english_capital", "A", false)]
    [InlineData("change_case:english_lowercase", "the quick brown fox jumps over the lazy dog", true)]
    public void Case_checks_need_langdetect_to_say_english(string id, string response, bool expected) =>
        InstructionRegistry.Create(id, "{}").IsFollowed(response).ShouldBe(expected);

    [Fact]
    public void An_italian_haiku_is_italian() =>
        InstructionRegistry.Create("language:response_language", """{"language": "it"}""")
            .IsFollowed("Sotto il cielo blu\nfoglie d'autunno cadono\nsilenzio d'oro").ShouldBeTrue();
}
