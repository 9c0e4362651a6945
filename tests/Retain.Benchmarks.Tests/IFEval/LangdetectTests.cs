using System.Text.Json;
using Retain.Benchmarks.IFEval.Text.Langdetect;

namespace Retain.Benchmarks.Tests.IFEval;

/// <summary>
/// The langdetect port against langdetect 1.0.9 itself (seed 0) on the texts of
/// Fixtures/ifeval/langdetect.jsonl (made by tests/reference/ifeval/langdetect_fixture.py).
/// </summary>
public class LangdetectTests
{
    [Fact]
    public void Every_fixture_text_gets_langdetects_language()
    {
        var cases = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "ifeval", "langdetect.jsonl")).Skip(1)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Text: e.GetProperty("text").GetString()!, Expected: e.GetProperty("language").GetString()))
            .ToList();
        cases.Count.ShouldBeGreaterThan(800);
        var wrong = cases.Where(c => LanguageDetector.Detect(c.Text) != c.Expected)
            .Select(c => $"{JsonSerializer.Serialize(c.Text)}: expected {c.Expected ?? "no features"}, got {LanguageDetector.Detect(c.Text) ?? "no features"}")
            .ToList();
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public void Profiles_are_langdetects_55_languages()
    {
        LangdetectData.Instance.Languages.Count.ShouldBe(55);
        LangdetectData.Instance.Languages.ShouldContain("zh-cn");
        LangdetectData.Instance.Languages.ShouldContain("en");
    }

    [Fact]
    public void Gauss_and_random_match_cpython_seed_0()
    {
        // python3 -c "import random; r=random.Random(0); print(r.gauss(0.0,1.0), r.gauss(0.0,1.0), r.random())"
        var random = new PythonRandom(0);
        random.Gauss().ShouldBe(0.9417154046806644);
        random.Gauss().ShouldBe(-1.3965781047011498);
        random.NextDouble().ShouldBe(0.420571580830845);
    }

    [Fact]
    public void Text_without_known_ngrams_has_no_features()
    {
        LanguageDetector.Detect("123 456 !!! ---").ShouldBeNull();
        LanguageDetector.Detect("https://example.com/der/die/das").ShouldBeNull();
    }
}
