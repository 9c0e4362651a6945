using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Common;

public sealed class CsvRecordsTests
{
    private static List<CsvRecord> Parse(string text) => CsvRecords.Parse(new StringReader(text)).ToList();

    [Fact]
    public void Quoted_fields_hold_commas_doubled_quotes_and_line_breaks()
    {
        var records = Parse("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"line one\nline two\r\nline three\",end\n3,,\n");
        records.Select(r => r.Line).ShouldBe([1, 2, 3, 6]);
        records[1].Fields.ShouldBe(["1", "x, y", "say \"hi\""]);
        records[2].Fields.ShouldBe(["2", "line one\nline two\r\nline three", "end"]);
        records[3].Fields.ShouldBe(["3", "", ""]);
        records.ShouldAllBe(r => r.Error == null);
    }

    [Fact]
    public void Crlf_and_lone_cr_end_records_and_blank_lines_are_skipped()
    {
        var records = Parse("a,b\r\n1,2\r\n\r\n3,4\r5,6");
        records.Select(r => r.Line).ShouldBe([1, 2, 4, 5]);
        records[^1].Fields.ShouldBe(["5", "6"]);
    }

    [Fact]
    public void Empty_quoted_field_and_trailing_comma()
    {
        Parse("\"\",x,\n")[0].Fields.ShouldBe(["", "x", ""]);
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_an_error_and_parsing_resumes_on_the_next_line()
    {
        var records = Parse("a,b\n1,x\"y\n2,ok\n");
        records[1].Error!.ShouldContain("line 2");
        records[2].Fields.ShouldBe(["2", "ok"]);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var records = Parse("a,b\n1,\"x\"y\n2,ok\n");
        records[1].Error!.ShouldContain("closing quote");
        records[2].Fields.ShouldBe(["2", "ok"]);
    }

    [Fact]
    public void An_unterminated_quote_names_the_line_it_started_on()
    {
        var records = Parse("a,b\n1,ok\n2,\"never\nclosed\n");
        records.Count.ShouldBe(3);
        records[2].Line.ShouldBe(3);
        records[2].Error!.ShouldContain("starting on line 3");
    }

    [Fact]
    public void Table_rejects_rows_with_the_wrong_field_count_naming_file_and_line()
    {
        string path = TestData.TempFile("x,y\n1,2\n3\n4,5,6\n7,8\n", ".csv");
        var report = new DataReport();
        var rows = CsvTable.Read(path, ["x", "y"], new RowIssues(BadRowPolicy.Skip, report), report).ToList();
        rows.Select(r => r["x"]).ShouldBe(["1", "7"]);
        report.RowsRead.ShouldBe(4);
        report.Rejected.Select(r => r.ToString()).ShouldBe([$"{path}:3: the row has 1 fields but the header has 2", $"{path}:4: the row has 3 fields but the header has 2"]);
    }

    [Fact]
    public void Table_fails_on_a_bad_row_when_the_policy_is_fail()
    {
        string path = TestData.TempFile("x,y\n1,2\n3\n", ".csv");
        var report = new DataReport();
        var error = Should.Throw<DataException>(() => CsvTable.Read(path, ["x"], new RowIssues(BadRowPolicy.Fail, report), report).ToList());
        error.Message.ShouldStartWith($"{path}:3: the row has 1 fields");
        error.Message.ShouldContain("set the dataset option badRows to skip");
    }

    [Fact]
    public void Table_names_missing_columns()
    {
        string path = TestData.TempFile("x,z\n1,2\n", ".csv");
        var report = new DataReport();
        var error = Should.Throw<DataException>(() => CsvTable.Read(path, ["x", "y"], new RowIssues(BadRowPolicy.Skip, report), report).ToList());
        error.Message.ShouldContain("lacks the column(s) 'y'");
        error.Message.ShouldContain(path);
    }

    [Fact]
    public void Utf8_bom_is_not_part_of_the_first_column_name()
    {
        string path = TestData.TempFile("", ".csv");
        File.WriteAllText(path, "x,y\n1,é\n", new System.Text.UTF8Encoding(true));
        var report = new DataReport();
        CsvTable.Read(path, ["x", "y"], new RowIssues(BadRowPolicy.Fail, report), report).Single()["y"].ShouldBe("é");
    }
}
