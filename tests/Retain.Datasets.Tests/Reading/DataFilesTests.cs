using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Reading;

/// <summary>Dataset folders, shards, hub-cache snapshots and split names.</summary>
public class DataFilesTests
{
    [Theory]
    [InlineData("data/train-00000-of-00001.parquet", DataSplit.Train)]
    [InlineData("data/validation-00000-of-00001.parquet", DataSplit.Validation)]
    [InlineData("data/test-00003-of-00004.parquet", DataSplit.Test)]
    [InlineData("train/data-00000-of-00001.arrow", DataSplit.Train)]
    [InlineData("gsm8k-test.arrow", DataSplit.Test)]
    [InlineData("dev.jsonl", DataSplit.Validation)]
    [InlineData("main/train_0.csv", DataSplit.Train)]
    [InlineData("shopping_queries_dataset_examples.parquet", null)]
    [InlineData("latest/contest.parquet", null)]
    public void Splits_are_named_as_the_datasets_library_names_them(string path, DataSplit? split) => DataFiles.SplitOf(path).ShouldBe(split);

    [Fact]
    public void A_hub_cache_folder_reads_the_snapshot_refs_main_names_with_its_shards_in_order()
    {
        var hub = HubCache("datasets--retain--tiny-chat", "0123abcd");
        File.WriteAllText(Path.Combine(hub, "refs", "main"), "0123abcd");
        Directory.CreateDirectory(Path.Combine(hub, "snapshots", "ffff0000", "data"));

        var train = DataFiles.Of(hub, DataSplit.Train);
        train.Select(Path.GetFileName).ShouldBe(["train-00000-of-00002.parquet", "train-00001-of-00002.parquet"]);
        train.ShouldAllBe(f => f.Contains(Path.Combine("snapshots", "0123abcd")));
        DataFiles.Of(hub, DataSplit.Validation).Select(Path.GetFileName).ShouldBe(["validation-00000-of-00001.parquet"]);
        DataFiles.Of(hub, DataSplit.Test).Count.ShouldBe(1);
    }

    [Fact]
    public void A_revision_after_the_hub_cache_folder_selects_that_snapshot_as_for_models()
    {
        var hub = HubCache("datasets--retain--tiny-chat", "0123abcd");
        File.WriteAllText(Path.Combine(hub, "refs", "main"), "0123abcd");
        Directory.CreateDirectory(Path.Combine(hub, "refs", "pr"));
        File.WriteAllText(Path.Combine(hub, "refs", "pr", "1"), "ffff0000");
        var other = Path.Combine(hub, "snapshots", "ffff0000", "data");
        Directory.CreateDirectory(other);
        File.Copy(Path.Combine(hub, "snapshots", "0123abcd", "data", "validation-00000-of-00001.parquet"), Path.Combine(other, "train-00000-of-00001.parquet"));

        DataFiles.IsFolder(hub + "@ffff0000").ShouldBeTrue();
        DataFiles.Of(hub + "@ffff0000", DataSplit.Train).ShouldBe([Path.Combine(other, "train-00000-of-00001.parquet")]);
        DataFiles.Of(hub + "@pr/1", DataSplit.Train).ShouldBe([Path.Combine(other, "train-00000-of-00001.parquet")]);
        DataFiles.Of(hub + "@main", DataSplit.Train).Count.ShouldBe(2);
        Should.Throw<DataException>(() => DataFiles.Of(hub + "@v9", DataSplit.Train)).Message
            .ShouldBe($"{hub}: revision 'v9' is neither a ref nor a snapshot; refs: main, pr/1; snapshots: 0123abcd, ffff0000.");
        var plain = Path.Combine(hub, "snapshots", "0123abcd");
        Should.Throw<DataException>(() => DataFiles.Of(plain + "@main", DataSplit.Train)).Message.ShouldContain("is a plain folder");
    }

    [Fact]
    public void Metadata_files_beside_arrow_data_are_not_data()
    {
        var folder = TestData.Fixture("arrow", "saved");
        DataFiles.Of(folder, DataSplit.Train).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ShouldBe(["train/data-00000-of-00001.arrow"]);
        DataFiles.Of(folder, DataSplit.Validation).ShouldBeEmpty();
    }

    [Fact]
    public void Files_naming_no_split_are_all_train()
    {
        var folder = TestData.Fixture("parquet", "esci");
        DataFiles.Of(folder, DataSplit.Train).Count.ShouldBe(2);
        DataFiles.Of(folder, DataSplit.Test).ShouldBeEmpty();
    }

    [Fact]
    public void Two_configurations_of_one_split_are_an_error_asking_for_one()
    {
        var root = Path.GetDirectoryName(TestData.TempFile("", ".txt"))!;
        var dataset = Path.Combine(root, Guid.NewGuid().ToString("N"));
        foreach (var config in new[] { "main", "socratic" })
        {
            Directory.CreateDirectory(Path.Combine(dataset, config));
            File.Copy(TestData.Fixture("parquet", "hub", "data", "test-00000-of-00001.parquet"), Path.Combine(dataset, config, "train-00000-of-00001.parquet"));
        }
        Should.Throw<DataException>(() => DataFiles.Of(dataset, DataSplit.Train)).Message.ShouldContain("several configurations (main/, socratic/)");
        DataFiles.Of(Path.Combine(dataset, "main"), DataSplit.Train).Count.ShouldBe(1);
    }

    /// <summary>A hub-cache dataset folder as huggingface_hub lays it out: snapshot files are symlinks into blobs/.</summary>
    internal static string HubCache(string name, string revision)
    {
        var root = Path.GetDirectoryName(TestData.TempFile("", ".txt"))!;
        var hub = Path.Combine(root, Guid.NewGuid().ToString("N"), name);
        var snapshot = Path.Combine(hub, "snapshots", revision, "data");
        Directory.CreateDirectory(snapshot);
        Directory.CreateDirectory(Path.Combine(hub, "blobs"));
        Directory.CreateDirectory(Path.Combine(hub, "refs"));
        foreach (var file in Directory.GetFiles(TestData.Fixture("parquet", "hub", "data")))
        {
            var blob = Path.Combine(hub, "blobs", Guid.NewGuid().ToString("N"));
            File.Copy(file, blob);
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.GetRelativePath(snapshot, blob));
        }
        return hub;
    }
}
