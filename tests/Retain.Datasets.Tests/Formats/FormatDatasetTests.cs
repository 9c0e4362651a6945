using Retain.Data;
using Retain.Datasets.Formats;
using Retain.Datasets.Formats.Extractors;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Formats;

public sealed class FormatDatasetTests
{
    private static DatasetSplits LoadJsonl(string path, Action<JsonlOptions>? change = null)
    {
        var options = new JsonlOptions { TrainPath = path, ValidationFraction = 0, TestFraction = 0 };
        change?.Invoke(options);
        return new JsonlDataset(options).Load(TestData.Context());
    }

    [Fact]
    public void Chat_messages_and_prompt_completion_rows_become_examples()
    {
        var rows = LoadJsonl("formats/chat.jsonl").Train;
        rows.Count.ShouldBe(5);

        rows[0].Prompt.ShouldBe([ChatMessage.User("What is 2 + 3?")]);
        rows[0].Target.ShouldBe("2 + 3 = 5. The answer is 5.");
        rows[0].Reference.ShouldBe("5");
        rows[0].Id.ShouldBe("chat:1");
        rows[0].Source.ShouldBe("chat.jsonl:1");

        rows[1].Prompt.ShouldBe([ChatMessage.System("Be terse."), ChatMessage.User("Capital of France?")]);
        rows[1].Reference.ShouldBe("Paris");

        rows[2].Id.ShouldBe("multi-turn");
        rows[2].Prompt.ShouldBe([ChatMessage.User("Hi"), ChatMessage.Assistant("Hello! How can I help?"), ChatMessage.User("Add 1,000 and 80.")]);
        rows[2].Target.ShouldBe("That is $1,080.");

        rows[3].Prompt.ShouldBe([ChatMessage.User("Translate 'gato' to English.")]);
        rows[3].Target.ShouldBe("cat");

        rows[4].Prompt.ShouldBe([ChatMessage.System("You count."), ChatMessage.User("How many legs has a spider?")]);
        rows[4].Target.ShouldBe("A spider has 8 legs.");
    }

    [Fact]
    public void A_default_system_prompt_is_added_only_where_a_row_has_none()
    {
        var rows = LoadJsonl("formats/chat.jsonl", o => o.SystemPrompt = "Default.").Train;
        rows[0].Prompt[0].ShouldBe(ChatMessage.System("Default."));
        rows[1].Prompt[0].ShouldBe(ChatMessage.System("Be terse."));
    }

    [Fact]
    public void Unusable_rows_are_reported_with_line_and_reason()
    {
        var splits = LoadJsonl("formats/bad_chat.jsonl", o => o.BadRows = BadRowPolicy.Skip);
        splits.Train.Count.ShouldBe(1);
        splits.Report.RowsRead.ShouldBe(9);
        splits.Report.Rejected.Select(r => (r.Line, r.Reason)).Take(7).ShouldBe(
        [
            (2, "'messages'[1] has the role 'tool'; expected system, user or assistant"),
            (3, "'messages' must end with an assistant message (the target)"),
            (4, "empty target"),
            (5, "the prompt must end with a user message"),
            (6, "the row is a JSON array, not an object"),
            (7, "expected 'messages', or 'prompt' and 'completion'"),
            (8, splits.Report.Rejected[6].Reason),
        ]);
        splits.Report.Rejected[6].Reason.ShouldStartWith("invalid JSON");
        splits.Report.Rejected[7].ShouldBe(new RejectedRow(splits.Report.Rejected[7].File, 9, "'completion' must be a string or one assistant message"));
        Should.Throw<DataException>(() => LoadJsonl("formats/bad_chat.jsonl")).Message.ShouldContain("bad_chat.jsonl:2: 'messages'[1] has the role 'tool'");
    }

    [Fact]
    public void Alpaca_rows_join_instruction_and_input_and_keep_system_and_history()
    {
        var splits = new AlpacaDataset(new AlpacaOptions { TrainPath = "formats/alpaca.json", ValidationFraction = 0, TestFraction = 0, BadRows = BadRowPolicy.Skip }).Load(TestData.Context());
        var rows = splits.Train;
        rows.Count.ShouldBe(3);
        rows[0].Prompt.ShouldBe([ChatMessage.User("Give three tips for staying healthy.")]);
        rows[0].Target.ShouldBe("1. Eat a balanced diet.\n2. Exercise regularly.\n3. Get enough sleep.");
        rows[0].Source.ShouldBe("alpaca.json:2");
        rows[1].Prompt.ShouldBe([ChatMessage.User("Add the numbers.\n17 and 25")]);
        rows[2].Prompt.ShouldBe([ChatMessage.System("You are a calculator."), ChatMessage.User("Add the numbers 17 and 25."), ChatMessage.Assistant("42"), ChatMessage.User("And now double it.")]);
        rows[2].Target.ShouldBe("84");
        splits.Report.Rejected.ShouldHaveSingleItem().ShouldBe(new RejectedRow(splits.Report.Rejected[0].File, 19, "missing 'output' (the target)"));
    }

    [Fact]
    public void Without_split_files_validation_and_test_are_held_out_reproducibly()
    {
        string path = TestData.TempFile(string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{{\"prompt\": \"q{i}\", \"completion\": \"a{i}\"}}")), ".jsonl");
        var a = new JsonlDataset(new JsonlOptions { TrainPath = path, ValidationFraction = 0.1, TestFraction = 0.2 }).Load(TestData.Context());
        var b = new JsonlDataset(new JsonlOptions { TrainPath = path, ValidationFraction = 0.1, TestFraction = 0.2 }).Load(TestData.Context());
        a.Train.Count.ShouldBe(140);
        a.Validation.Count.ShouldBe(20);
        a.Test.Count.ShouldBe(40);
        b.Test.Select(e => e.Id).ShouldBe(a.Test.Select(e => e.Id));
        a.Train.Concat(a.Validation).Concat(a.Test).Select(e => e.Id).Distinct().Count().ShouldBe(200);

        var withFiles = new JsonlDataset(new JsonlOptions { TrainPath = path, TestPath = "formats/chat.jsonl", ValidationFraction = 0.1 }).Load(TestData.Context());
        withFiles.Test.Count.ShouldBe(5);
        withFiles.Validation.Count.ShouldBe(20);
        withFiles.Train.Count.ShouldBe(180);
    }

    [Fact]
    public void Options_validator_names_the_option()
    {
        var validator = new FormatOptionsValidator<JsonlOptions>();
        validator.Validate(null, new JsonlOptions { TrainPath = "x.jsonl" }).Succeeded.ShouldBeTrue();
        validator.Validate(null, new JsonlOptions()).FailureMessage!.ShouldContain("trainPath");
        validator.Validate(null, new JsonlOptions { TrainPath = "x", Evaluation = FormatEvaluation.Regex, Pattern = "(" }).FailureMessage!.ShouldContain("pattern: '(' is not a valid regular expression");
        validator.Validate(null, new JsonlOptions { TrainPath = "x", Evaluation = FormatEvaluation.Extractor }).FailureMessage!.ShouldContain("extractor:");
        validator.Validate(null, new JsonlOptions { TrainPath = "x", ValidationFraction = 0.5, TestFraction = 0.5 }).FailureMessage!.ShouldContain("validationFraction + testFraction");
    }
}
