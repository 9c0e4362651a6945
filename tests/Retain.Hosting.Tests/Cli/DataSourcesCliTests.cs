using System.Text.Json;
using Retain.Testing;

namespace Retain.Hosting.Tests.Cli;

/// <summary>
/// <c>retain data stats</c> on Parquet and Arrow data through the installed dataset plugins (their folders carry
/// Parquet.Net and Apache.Arrow); the row counts are those the fixtures' writers (parquet-wasm, apache-arrow JS) wrote.
/// </summary>
public class DataSourcesCliTests
{
    private static string Fixture(params string[] parts) => TestPaths.RepoFile(["tests", "Retain.Datasets.Tests", "Fixtures", .. parts]);

    private static JsonElement Counts()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Fixture("parquet", "expected_counts.json")));
        return json.RootElement.Clone();
    }

    private static JsonDocument Stats(params string[] args)
    {
        var (code, output, error) = TestBuild.Cli(["data", "stats", .. args, "--json"]);
        code.ShouldBe(0, error);
        return JsonDocument.Parse(output);
    }

    [Fact]
    public void A_dataset_folder_of_parquet_shards_reports_the_writers_row_counts_per_split()
    {
        var counts = Counts();
        int Rows(string file) => counts.GetProperty($"parquet/hub/data/{file}").GetInt32();
        using var stats = Stats("--dataset", "jsonl", "--path", Fixture("parquet", "hub"));

        var splits = stats.RootElement.GetProperty("splits");
        splits.GetProperty("train").GetInt32().ShouldBe(Rows("train-00000-of-00002.parquet") + Rows("train-00001-of-00002.parquet"));
        splits.GetProperty("validation").GetInt32().ShouldBe(Rows("validation-00000-of-00001.parquet"));
        splits.GetProperty("test").GetInt32().ShouldBe(Rows("test-00000-of-00001.parquet"));
        stats.RootElement.GetProperty("rowsRead").GetInt32().ShouldBe(18);
        Directory.GetFiles(Path.Combine(TestBuild.RepoPlugins, "Retain.Datasets.Formats")).Select(Path.GetFileName).ShouldContain("Parquet.dll");
    }

    [Fact]
    public void Esci_parquet_and_gsm8k_arrow_streams_report_the_writers_row_counts()
    {
        var counts = Counts();
        using var esci = Stats("--dataset", "esci", "--path", Fixture("parquet", "esci", "shopping_queries_dataset_examples.parquet"),
            "--option", "productsPath=" + Fixture("parquet", "esci", "shopping_queries_dataset_products.parquet"), "--option", "badRows=skip");
        esci.RootElement.GetProperty("rowsRead").GetInt32().ShouldBe(counts.GetProperty("parquet/esci/shopping_queries_dataset_examples.parquet").GetInt32());

        var saved = Fixture("arrow", "saved");
        using var gsm8k = Stats("--dataset", "gsm8k", "--path", saved, "--option", "testPath=" + saved);
        gsm8k.RootElement.GetProperty("rowsRead").GetInt32().ShouldBe(
            counts.GetProperty("arrow/saved/train/data-00000-of-00001.arrow").GetInt32() + counts.GetProperty("arrow/saved/test/data-00000-of-00001.arrow").GetInt32());
    }

    [Fact]
    public void A_damaged_parquet_file_fails_with_the_file_and_no_stack_trace()
    {
        using var temp = new TempFolder();
        var bytes = File.ReadAllBytes(Fixture("parquet", "chat", "messages.snappy.parquet"));
        var path = Path.Combine(temp.Path, "train.parquet");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);

        var (code, _, error) = TestBuild.Cli(["data", "stats", "--dataset", "jsonl", "--path", path]);
        code.ShouldBe(1);
        error.ShouldContain($"{path}: not a readable Parquet file");
        error.ShouldNotContain("   at ");
    }
}
