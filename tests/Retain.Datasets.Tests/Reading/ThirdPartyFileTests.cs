using System.Text.Json;
using System.Text.Json.Nodes;
using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Formats;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Reading;

/// <summary>
/// Parquet files written by other projects (apache/parquet-testing: parquet-cpp, parquet-mr; a Hub dataset written by
/// Polars) read by Parquet.Net as hyparquet, a third implementation, reads them (Fixtures/parquet/third-party/expected.json).
/// </summary>
public class ThirdPartyFileTests
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("parquet", "third-party", "expected.json"))).RootElement;

    public static TheoryData<string> ReadableFiles() => new(Expected.EnumerateObject().Where(f => f.Value.TryGetProperty("data", out _) && f.Name != DataPageV2 && f.Name != NullListItems).Select(f => f.Name));

    private const string DataPageV2 = "parquet-testing/datapage_v2.snappy.parquet";
    private const string NullListItems = "parquet-testing/list_columns.parquet";

    private static string Path(string name) => TestData.Fixture(["parquet", "third-party", .. name.Split('/')]);

    [Theory]
    [MemberData(nameof(ReadableFiles))]
    public void Rows_read_as_hyparquet_reads_them(string name)
    {
        var expected = Expected.GetProperty(name);
        var rows = DataSources.ReadTable(Path(name)).ToList();
        rows.Count.ShouldBe(expected.GetProperty("rows").GetInt32());
        var want = expected.GetProperty("data").EnumerateArray().Select(r => Canonical(JsonNode.Parse(r.GetRawText()))).ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            Canonical(JsonNode.Parse(rows[i].ToJson().GetRawText())).ShouldBe(want[i], $"{name} row {i + 1}");
        }
    }

    [Fact]
    public void A_column_parquet_net_cannot_decode_is_an_error_naming_the_file_row_group_and_column()
    {
        // parquet-mr's data page v2 with an RLE boolean column: hyparquet (and Arrow C++) read it, Parquet.Net 6.1.0
        // does not. Retain says so instead of returning partial rows.
        Expected.GetProperty(DataPageV2).GetProperty("data").GetArrayLength().ShouldBe(5);
        var error = Should.Throw<DataException>(() => DataSources.ReadTable(Path(DataPageV2)).ToList());
        error.Message.ShouldContain("datapage_v2.snappy.parquet: row group 0 of 1 (rows 1-5)");
        error.Message.ShouldContain("column 'd'");
    }

    [Fact]
    public void Null_items_inside_lists_are_refused_naming_the_column_not_dropped()
    {
        // hyparquet reads row 2's int64_list as [null, 1]; Parquet.Net's row assembly would give [1].
        Expected.GetProperty(NullListItems).GetProperty("data")[1].GetProperty("int64_list")[0].ValueKind.ShouldBe(JsonValueKind.Null);
        var error = Should.Throw<DataException>(() => DataSources.ReadTable(Path(NullListItems)).ToList());
        error.Message.ShouldContain("list_columns.parquet: row group 0 of 1 (rows 1-3): the list column 'int64_list' has a null item inside a list");
    }

    [Fact]
    public void A_polars_written_hub_dataset_reads_as_alpaca_rows_through_column_mapping()
    {
        var splits = new AlpacaDataset(new AlpacaOptions
        {
            TrainPath = "parquet/third-party/polars-smollm2-customs",
            InstructionField = "prompt",
            OutputField = "response",
            SystemField = "system_prompt",
            ValidationFraction = 0,
            TestFraction = 0,
        }).Load(TestData.Context());
        splits.Report.RowsRead.ShouldBe(48 + 28 + 63);
        splits.Train.Count.ShouldBe(139);
        splits.Train[0].Prompt.ShouldBe([ChatMessage.System("You are the ShellMaster. High-speed terminal router. Category: network_discovery."), ChatMessage.User("nmap -sP 192.168.1.0/24")]);
        splits.Train[0].Target.ShouldBe("ShellMaster Unix: nmap -sP 192.168.1.0/24");
        splits.Train[48].Source.ShouldBe("train-00001-of-00002.parquet:1");
    }

    /// <summary>
    /// A row as text for comparison: object keys sorted, null and empty-list members left out (both readers leave
    /// some out), numbers by value.
    /// </summary>
    private static string Canonical(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.Where(p => p.Value is not null && p.Value is not JsonArray { Count: 0 })
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Canonical(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>().ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => node.ToJsonString(),
    };
}
