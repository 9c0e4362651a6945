using Retain.Data;
using Retain.Datasets.Formats;
using Retain.Datasets.Formats.Extractors;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Formats;

public sealed class FormatEvaluatorTests
{
    private static readonly Dictionary<string, IAnswerExtractor> Extractors = new()
    {
        ["last-number"] = new LastNumberExtractor(),
        ["gsm8k-strict"] = new Gsm8kStrictExtractor(),
        ["gsm8k-flexible"] = new Gsm8kFlexibleExtractor(),
        ["json-answer"] = new JsonAnswerExtractor(),
        ["boxed"] = new BoxedExtractor(),
        ["answer-tag"] = new AnswerTagExtractor(),
    };

    private static DatasetLoadContext Context => new() { Data = TestLocator.Default, AnswerExtractors = name => Extractors[name] };

    private static IReadOnlyList<Example> Chat => new JsonlDataset(new JsonlOptions { TrainPath = "formats/chat.jsonl", ValidationFraction = 0, TestFraction = 0 }).Load(Context).Train;

    private static IDomainEvaluator Evaluator(Action<JsonlOptions> change)
    {
        var options = new JsonlOptions { TrainPath = "formats/chat.jsonl" };
        change(options);
        return new JsonlDataset(options).CreateEvaluator(Context);
    }

    [Fact]
    public void Exact_match_compares_whole_responses()
    {
        var exact = Evaluator(_ => { });
        exact.Grade(Chat[1], "  Paris\n").Correct.ShouldBeTrue();
        exact.Grade(Chat[1], "paris").Correct.ShouldBeFalse();
        Evaluator(o => o.IgnoreCase = true).Grade(Chat[1], "paris").Correct.ShouldBeTrue();
        exact.Grade(Chat[0], "5.0").Correct.ShouldBeTrue(); // numbers compare as numbers
        Evaluator(o => o.CompareNumbers = false).Grade(Chat[0], "5.0").Correct.ShouldBeFalse();
    }

    [Fact]
    public void Extractors_apply_to_the_response_and_to_a_target_reference()
    {
        var lastNumber = Evaluator(o => { o.Evaluation = FormatEvaluation.Extractor; o.Extractor = "last-number"; });
        lastNumber.Grade(Chat[2], "Sum: 1080").ShouldBe(new Verdict("1080", true)); // reference: the target "That is $1,080."
        lastNumber.Grade(Chat[0], "it is five").ShouldBe(new Verdict(null, false));
        lastNumber.Grade(Chat[0], "2 + 3 gives 5").Correct.ShouldBeTrue(); // reference field "5"
        lastNumber.Grade(Chat[4], "Eight: 8").Correct.ShouldBeTrue();
    }

    [Fact]
    public void Regex_takes_the_first_group_of_the_last_match()
    {
        var regex = Evaluator(o => { o.Evaluation = FormatEvaluation.Regex; o.Pattern = @"answer is (\d+)"; });
        regex.Grade(Chat[0], "The answer is 4... no, the answer is 5").ShouldBe(new Verdict("5", true));
        regex.Grade(Chat[0], "5").ShouldBe(new Verdict(null, false));
    }

    [Fact]
    public void Extractor_mode_needs_the_hosts_extractors()
    {
        Should.Throw<InvalidOperationException>(() => new JsonlDataset(new JsonlOptions { TrainPath = "x", Evaluation = FormatEvaluation.Extractor, Extractor = "boxed" })
            .CreateEvaluator(TestData.Context())).Message.ShouldContain("extractor");
    }

    [Fact]
    public void Summary_reports_accuracy_and_extraction_rate()
    {
        var evaluator = Evaluator(o => { o.Evaluation = FormatEvaluation.Extractor; o.Extractor = "last-number"; });
        var examples = Chat.Take(2).ToList();
        var verdicts = new[] { evaluator.Grade(examples[0], "5"), evaluator.Grade(examples[1], "no number") };
        var score = evaluator.Summarize(examples, verdicts);
        score.Value.ShouldBe(0.5);
        score.Details["extracted_rate"].ShouldBe(0.5);
        evaluator.Generation.MaxNewTokens.ShouldBe(512);
    }

    [Theory]
    [InlineData("last-number", "Total: $1,080.", "1080")]
    [InlineData("last-number", "-3.5 then 7", "7")]
    [InlineData("last-number", "none", null)]
    [InlineData("gsm8k-strict", "work\n#### 1,080", "1,080")]
    [InlineData("gsm8k-strict", "1080", null)]
    [InlineData("gsm8k-flexible", "so $1,080.", "$1,080.")]
    [InlineData("json-answer", "{\"step_by_step_thinking\": \"x\", \"answer\": \"12.5\"}", "12.5")]
    [InlineData("json-answer", "{\"answer\": 3}", "3")]
    [InlineData("boxed", "so \\boxed{\\frac{1}{2}} and \\boxed{7}", "7")]
    [InlineData("boxed", "\\boxed{\\frac{1}{2}}", "\\frac{1}{2}")]
    [InlineData("boxed", "\\boxed{unclosed", null)]
    [InlineData("answer-tag", "<answer>1</answer> <answer> Paris </answer>", "Paris")]
    [InlineData("answer-tag", "<answer>\nmulti\nline\n</answer>", "multi\nline")]
    public void Answer_extractors(string name, string response, string? expected)
    {
        Extractors[name].Extract(response).ShouldBe(expected);
    }
}
