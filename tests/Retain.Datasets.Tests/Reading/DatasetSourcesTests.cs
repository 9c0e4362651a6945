using Retain.Data;
using Retain.Datasets.Esci;
using Retain.Datasets.Formats;
using Retain.Datasets.MathProblems;
using Retain.Datasets.MedCalc;
using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;
using Retain.Testing;

namespace Retain.Datasets.Tests.Reading;

/// <summary>Every dataset plugin reads Parquet, Arrow IPC, shard folders and hub-cache folders.</summary>
public class DatasetSourcesTests
{
    private static DatasetSplits Jsonl(string path, Action<JsonlOptions>? change = null)
    {
        var options = new JsonlOptions { TrainPath = path, ValidationFraction = 0, TestFraction = 0 };
        change?.Invoke(options);
        return new JsonlDataset(options).Load(TestData.Context());
    }

    [Fact]
    public void Chat_messages_from_parquet_become_examples_with_file_and_row()
    {
        var splits = Jsonl("parquet/chat/messages.snappy.parquet");
        splits.Report.RowsRead.ShouldBe(7);
        var rows = splits.Train;
        rows.Count.ShouldBe(7);
        rows[0].Prompt.ShouldBe([ChatMessage.User("What is 2+2?")]);
        rows[0].Target.ShouldBe("4");
        rows[0].Id.ShouldBe("c1");
        rows[1].Id.ShouldBe("messages.snappy:2");
        rows[1].Source.ShouldBe("messages.snappy.parquet:2");
        rows[1].Prompt[0].ShouldBe(ChatMessage.System("Answer briefly."));
        rows[2].Prompt.ShouldBe([ChatMessage.User("Say hi."), ChatMessage.Assistant("Hi!"), ChatMessage.User("Again.")]);
        rows[2].Target.ShouldBe("Hi again!");
        rows[2].SuperviseHistory.ShouldBeFalse();
        Jsonl("parquet/chat/messages.snappy.parquet", o => o.SupervisedTurns = SupervisedTurns.All).Train[2].SuperviseHistory.ShouldBeTrue();
    }

    [Fact]
    public void ShareGPT_conversations_read_with_the_column_and_role_options()
    {
        var rows = Jsonl("parquet/chat/sharegpt.zstd.parquet", o =>
        {
            o.MessagesField = "conversations";
            o.RoleKey = "from";
            o.ContentKey = "value";
            o.UserRole = "human";
            o.AssistantRole = "gpt";
        }).Train;
        rows.Count.ShouldBe(3);
        rows[1].Prompt.ShouldBe([ChatMessage.System("Be terse."), ChatMessage.User("Hello"), ChatMessage.Assistant("Hi"), ChatMessage.User("Bye")]);
        rows[1].Target.ShouldBe("Bye");

        var error = Should.Throw<DataException>(() => Jsonl("parquet/chat/sharegpt.zstd.parquet"));
        error.Message.ShouldContain("has none of the column sets this format reads ('messages'; or 'prompt', 'completion'); it has 'conversations'");
    }

    [Fact]
    public void Alpaca_rows_from_gzip_parquet_with_nullable_input_and_history()
    {
        var rows = new AlpacaDataset(new AlpacaOptions { TrainPath = "parquet/alpaca/alpaca.gzip.parquet", ValidationFraction = 0, TestFraction = 0 }).Load(TestData.Context()).Train;
        rows.Count.ShouldBe(5);
        rows[0].Prompt.ShouldBe([ChatMessage.User("Translate to French.\ncat")]);
        rows[1].Prompt.ShouldBe([ChatMessage.User("What is 1+1?"), ChatMessage.Assistant("2"), ChatMessage.User("Add the numbers.")]);
        rows[2].Prompt.ShouldBe([ChatMessage.User("Reverse the word.\nabc")]);
        rows[4].Prompt.Count.ShouldBe(5);
        rows[4].Target.ShouldBe("DOG");
    }

    [Fact]
    public void A_hub_cache_dataset_supplies_train_validation_and_test_by_file_name()
    {
        var hub = DataFilesTests.HubCache("datasets--retain--tiny-chat", "0123abcd");
        var splits = Jsonl(hub);
        splits.Report.RowsRead.ShouldBe(6 + 5 + 3 + 4);
        splits.Train.Count.ShouldBe(11);
        splits.Train[6].Target.ShouldBe("train answer 6");
        splits.Train[6].Source.ShouldBe("train-00001-of-00002.parquet:1");
        splits.Validation.Select(e => e.Target).ShouldBe(["validation answer 0", "validation answer 1", "validation answer 2"]);
        splits.Test.Count.ShouldBe(4);

        // A split path that is given wins over the folder's files.
        Jsonl(hub, o => o.TestPath = TestData.Fixture("parquet", "hub", "data", "validation-00000-of-00001.parquet")).Test.Count.ShouldBe(3);
    }

    [Fact]
    public void Gsm8k_reads_a_save_to_disk_folder_of_arrow_streams_and_an_arrow_file()
    {
        var folder = TestData.Fixture("arrow", "saved");
        var splits = new Gsm8kDataset(new Gsm8kOptions { TrainPath = folder, TestPath = folder, ValidationFraction = 0 }).Load(TestData.Context());
        splits.Report.RowsRead.ShouldBe(7 + 3);
        splits.Train.Count.ShouldBe(7);
        splits.Test.Count.ShouldBe(3);
        splits.Test[0].Reference.ShouldBe("22");

        var feather = new Gsm8kDataset(new Gsm8kOptions { TrainPath = "arrow/feather/train.arrow", TestPath = "arrow/feather/train.arrow", ValidationFraction = 0 }).Load(TestData.Context());
        feather.Train.Count.ShouldBe(2);
    }

    [Fact]
    public void Esci_from_its_published_parquet_schema_matches_the_csv_export()
    {
        EsciOptions Options(string examples, string products) => new()
        {
            ExamplesPath = examples, ProductsPath = products, TrainSize = 100, ValidationSize = 2, TestSize = 100, BadRows = BadRowPolicy.Skip,
            SourcesPath = TestPaths.SharedFile("data", "esci", "shopping_queries_dataset_sources.csv"),
        };
        var csv = new EsciDataset(Options("esci/examples.csv", "esci/products.csv")).Load(TestData.Context());
        var parquet = new EsciDataset(Options("parquet/esci/shopping_queries_dataset_examples.parquet", "parquet/esci/shopping_queries_dataset_products.parquet")).Load(TestData.Context());

        parquet.Report.RowsRead.ShouldBe(35);
        foreach (var (a, b) in new[] { (csv.Train, parquet.Train), (csv.Validation, parquet.Validation), (csv.Test, parquet.Test) })
        {
            b.Select(e => e.Id).ShouldBe(a.Select(e => e.Id));
            b.Select(e => e.Prompt[1].Content).ShouldBe(a.Select(e => e.Prompt[1].Content));
            b.Select(e => e.Target).ShouldBe(a.Select(e => e.Target));
        }
        parquet.Report.Rejected.ShouldHaveSingleItem().Line.ShouldBe(35);

        // query_source comes from the esci-data repository's sources file, joined on query_id.
        var sources = File.ReadAllLines(TestPaths.SharedFile("data", "esci", "shopping_queries_dataset_sources.csv")).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[1]);
        parquet.Test.ShouldAllBe(e => e.Metadata["query_source"] == sources[e.Metadata["query_id"]]);
    }

    [Fact]
    public void MedCalc_reads_its_hub_parquet_layout_as_it_reads_the_csv()
    {
        var folder = TestData.Fixture("parquet", "medcalc");
        var parquet = new MedCalcDataset(new MedCalcOptions { TrainPath = folder, TestPath = folder, ValidationFraction = 0 }).Load(TestData.Context());
        parquet.Report.RowsRead.ShouldBe(6);
        parquet.Train.Count.ShouldBe(3);
        parquet.Test.Count.ShouldBe(3);

        var csvReport = new DataReport();
        var csvRows = MedCalcRow.ReadAll(TestData.Fixture("medcalc", "train_small.csv"), DataSplit.Test, new RowIssues(BadRowPolicy.Fail, csvReport), csvReport, needsExplanation: true);
        var parquetReport = new DataReport();
        var parquetRows = MedCalcRow.ReadAll(folder, DataSplit.Train, new RowIssues(BadRowPolicy.Fail, parquetReport), parquetReport, needsExplanation: true)
            .Concat(MedCalcRow.ReadAll(folder, DataSplit.Test, new RowIssues(BadRowPolicy.Fail, parquetReport), parquetReport, needsExplanation: true)).ToList();
        parquetRows.Select(r => r with { File = "", Line = 0 }).ShouldBe(csvRows.Select(r => r with { File = "", Line = 0 }));
    }
}
