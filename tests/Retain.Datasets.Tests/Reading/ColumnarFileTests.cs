using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Reading.Tables;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Reading;

/// <summary>Parquet (arrow-rs via parquet-wasm) and Arrow IPC (apache-arrow JS) files read by Parquet.Net and Apache.Arrow.</summary>
public class ColumnarFileTests
{
    [Fact]
    public void Every_fixture_reads_as_many_rows_as_its_writer_wrote()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("parquet", "expected_counts.json")));
        var counts = expected.RootElement.EnumerateObject().ToList();
        counts.Count.ShouldBeGreaterThan(10);
        foreach (var file in counts)
        {
            var report = new DataReport();
            DataSources.ReadJson([TestData.Fixture(file.Name.Split('/'))], report).Count(r => r.Error is null).ShouldBe(file.Value.GetInt32(), file.Name);
            report.RowsRead.ShouldBe(file.Value.GetInt32(), file.Name);
        }
    }

    [Theory]
    [InlineData("parquet", "types", "types.parquet")]
    [InlineData("arrow", "types", "types.arrow")]
    public void Values_read_by_type_with_nulls(params string[] parts)
    {
        var rows = DataSources.ReadTable(TestData.Fixture(parts)).ToList();
        rows.Select(r => r.Field("n")).ShouldBe(["1", null, "-7"]);
        rows.Select(r => r.Field("x")).ShouldBe(["0.5", "160.0", "1e-05"]);
        rows.Select(r => r.Field("flag")).ShouldBe(["true", "false", null]);
        rows.Select(r => r.Field("day")).ShouldBe(["2024-01-31", null, "1999-12-01"]);
        rows.Select(r => r.Field("s")).ShouldBe(["one", "one", null]);
        rows.Select(r => r.Number).ShouldBe([1, 2, 3]);
        Should.Throw<FormatException>(() => rows[0].Field("tags")).Message.ShouldContain("'tags' holds a list");
        Should.Throw<FormatException>(() => rows[0].Field("pair")).Message.ShouldContain("'pair' holds a struct");

        var json = rows[0].ToJson();
        json.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ShouldBe(["a", "b"]);
        json.GetProperty("pair").GetProperty("a").GetString().ShouldBe("p");
        json.GetProperty("pair").GetProperty("b").GetInt64().ShouldBe(2);
        JsonFields.Has(rows[1].ToJson(), "tags").ShouldBeFalse();
    }

    [Fact]
    public void Dictionary_encoded_arrow_strings_read_as_their_values()
    {
        var rows = DataSources.ReadTable(TestData.Fixture("arrow", "types", "types.arrow")).ToList();
        rows.Select(r => r.Field("label")).ShouldBe(["yes", null, "yes"]);
    }

    [Fact]
    public void List_of_struct_column_in_two_row_groups_reads_as_messages()
    {
        var rows = DataSources.ReadTable(TestData.Fixture("parquet", "chat", "messages.snappy.parquet")).ToList();
        rows.Count.ShouldBe(7);
        var third = rows[2].ToJson().GetProperty("messages");
        third.GetArrayLength().ShouldBe(4);
        third[3].GetProperty("role").GetString().ShouldBe("assistant");
        third[3].GetProperty("content").GetString().ShouldBe("Hi again!");
        rows[1].Field("id").ShouldBeNull();
        rows[4].Field("id").ShouldBe("c5");
        rows[4].Number.ShouldBe(5);
    }

    [Fact]
    public void A_truncated_parquet_file_is_an_error_naming_the_file()
    {
        var bytes = File.ReadAllBytes(TestData.Fixture("parquet", "chat", "messages.snappy.parquet"));
        var path = TestData.TempFile("", ".parquet");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Should.Throw<DataException>(() => DataSources.ReadTable(path).ToList());
        error.Message.ShouldStartWith(path);
        error.Message.ShouldContain("not a readable Parquet file");
    }

    [Fact]
    public void A_damaged_row_group_is_an_error_naming_the_file_and_row_group()
    {
        var bytes = File.ReadAllBytes(TestData.Fixture("parquet", "chat", "messages.snappy.parquet"));
        // Overwrite the data pages after the magic, leaving the footer (schema and row-group index) intact.
        for (int i = 4; i < 600; i++) bytes[i] = 0xA5;
        var path = TestData.TempFile("", ".parquet");
        File.WriteAllBytes(path, bytes);

        var error = Should.Throw<DataException>(() => DataSources.ReadTable(path).ToList());
        error.Message.ShouldStartWith(path);
        error.Message.ShouldContain("row group 0 of 2 (rows 1-4)");
    }

    [Fact]
    public void A_truncated_arrow_stream_is_an_error_naming_the_file_and_batch()
    {
        var bytes = File.ReadAllBytes(TestData.Fixture("arrow", "saved", "train", "data-00000-of-00001.arrow"));
        var path = TestData.TempFile("", ".arrow");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 300)]);

        var error = Should.Throw<DataException>(() => DataSources.ReadTable(path).ToList());
        error.Message.ShouldStartWith(path);
        error.Message.ShouldContain("record batch");
    }

    [Fact]
    public void A_missing_column_names_the_columns_present()
    {
        var path = TestData.Fixture("parquet", "hub", "data", "test-00000-of-00001.parquet");
        var error = Should.Throw<DataException>(() => DataSources.ReadFields([path], ["question", "prompt"], new RowIssues(BadRowPolicy.Fail, new DataReport()), new DataReport()).ToList());
        error.Message.ShouldBe($"{path}: the file lacks the column(s) 'question'; it has 'prompt', 'completion'.");
    }
}
