using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Common;

public sealed class JsonRecordsTests
{
    [Fact]
    public void Json_lines_report_each_record_line_and_skip_blank_lines()
    {
        string path = TestData.TempFile("{\"a\": 1}\n\n{\"a\": 2}\r\n{bad\n[1,2]\n", ".jsonl");
        var records = JsonRecords.Parse(path).ToList();
        records.Select(r => r.Line).ShouldBe([1, 3, 4, 5]);
        records[1].Value.GetProperty("a").GetInt32().ShouldBe(2);
        records[2].Error!.ShouldStartWith("invalid JSON");
        records[3].Value.GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public void A_top_level_array_yields_its_elements_with_their_start_lines()
    {
        string path = TestData.TempFile("[\n  {\"q\": \"a ] , } [\", \"n\": [1, {\"x\": \"\\\"\"}]},\n  {\"q\": \"b\"},\n  {\"q\": oops},\n  \"scalar\"\n]\n", ".json");
        var records = JsonRecords.Parse(path).ToList();
        records.Select(r => r.Line).ShouldBe([2, 3, 4, 5]);
        records[0].Value.GetProperty("q").GetString().ShouldBe("a ] , } [");
        records[1].Value.GetProperty("q").GetString().ShouldBe("b");
        records[2].Error!.ShouldStartWith("invalid JSON");
        records[3].Value.GetString().ShouldBe("scalar");
    }

    [Fact]
    public void A_truncated_array_ends_with_an_error()
    {
        string path = TestData.TempFile("[{\"q\": 1}, {\"q\": 2", ".json");
        var records = JsonRecords.Parse(path).ToList();
        records.Count.ShouldBe(2);
        records[1].Error!.ShouldContain("ends inside the element starting on line 1");
    }

    [Fact]
    public void Empty_array_has_no_records() => JsonRecords.Parse(TestData.TempFile(" [ ] ", ".json")).ShouldBeEmpty();
}
