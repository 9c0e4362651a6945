using Retain.Data;
using Retain.Datasets.Formats;
using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Common;

/// <summary>Bytes that are not UTF-8 are never decoded into U+FFFD silently, and parse errors name the real line and byte.</summary>
public sealed class EncodingAndMessageTests
{
    private static string TempBytes(byte[] bytes, string extension)
    {
        var path = TestData.TempFile("", extension);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Bytes(string before, byte[] bad, string after)
        => [.. System.Text.Encoding.UTF8.GetBytes(before), .. bad, .. System.Text.Encoding.UTF8.GetBytes(after)];

    [Fact]
    public void A_jsonl_row_with_invalid_utf8_is_rejected_with_its_line_and_byte()
    {
        // Line 2 holds 0xFF inside a string (byte 14 of the line); "é" on line 1 and U+FFFD written as UTF-8 on line 3 are fine.
        var path = TempBytes(Bytes("{\"prompt\": \"é\", \"completion\": \"a\"}\n{\"prompt\": \"x", [0xFF], "\", \"completion\": \"b\"}\n{\"prompt\": \"\uFFFD\", \"completion\": \"c\"}\n"), ".jsonl");

        var records = JsonRecords.Parse(path).ToList();

        records.Select(r => r.Error).ShouldBe([null, "invalid UTF-8 at byte 14 of the line (0xFF); the file must be UTF-8", null]);
        records[2].Value.GetProperty("prompt").GetString().ShouldBe("\uFFFD");
    }

    [Fact]
    public void The_dataset_fails_on_such_a_row_naming_file_line_and_byte_or_counts_it_under_skip()
    {
        var path = TempBytes(Bytes("{\"prompt\": \"p\", \"completion\": \"a\"}\n{\"prompt\": \"", [0xC3, 0x28], "\", \"completion\": \"b\"}\n"), ".jsonl");
        var options = new JsonlOptions { TrainPath = path, ValidationFraction = 0, TestFraction = 0 };

        Should.Throw<DataException>(() => new JsonlDataset(options).Load(TestData.Context())).Message
            .ShouldStartWith($"{path}:2: invalid UTF-8 at byte 13 of the line (0xC3); the file must be UTF-8. Fix the row, or set the dataset option badRows to skip");

        options.BadRows = BadRowPolicy.Skip;
        var splits = new JsonlDataset(options).Load(TestData.Context());
        splits.Train.Count.ShouldBe(1);
        splits.Report.Rejected.ShouldHaveSingleItem().ToString().ShouldBe($"{path}:2: invalid UTF-8 at byte 13 of the line (0xC3); the file must be UTF-8");
    }

    [Fact]
    public void A_csv_record_with_invalid_utf8_is_rejected_even_inside_a_multi_line_field()
    {
        var path = TempBytes(Bytes("q,a\nfine,1\n\"two\nli", [0x80], "nes\",2\nlast,3\n"), ".csv");
        var report = new DataReport();

        var rows = CsvTable.Read(path, ["q", "a"], new RowIssues(BadRowPolicy.Skip, report), report).Select(r => r["q"]).ToList();

        rows.ShouldBe(["fine", "last"]);
        report.Rejected.ShouldHaveSingleItem().ToString().ShouldBe($"{path}:3: invalid UTF-8 on line 4 at byte 3 (0x80); the file must be UTF-8");
    }

    [Fact]
    public void A_truncated_sequence_at_the_end_of_the_file_is_found()
    {
        var path = TempBytes(Bytes("{\"a\": 1}\n{\"a\": \"", [0xE2, 0x82], ""), ".jsonl");
        JsonRecords.Parse(path).Select(r => r.Error).Last().ShouldBe("invalid UTF-8 at byte 8 of the line (0xE2); the file must be UTF-8");
    }

    [Fact]
    public void A_malformed_json_row_names_its_real_line_and_byte_without_the_parsers_internals()
    {
        var path = TestData.TempFile("{\"a\": 1}\n\n{\"a\": 1, \"b\": }\n", ".jsonl");

        var error = JsonRecords.Parse(path).Last().Error!;

        error.ShouldBe("invalid JSON (line 3, byte 15): '}' is an invalid start of a value");
        error.ShouldNotContain("LineNumber");
        error.ShouldNotContain("BytePositionInLine");
    }
}
