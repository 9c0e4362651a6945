using System.Text;
using Retain.Data;
using Retain.Datasets.Esci;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Esci;

public sealed class EsciDatasetTests
{
    private static EsciOptions CsvOptions(Action<EsciOptions>? change = null)
    {
        var options = new EsciOptions
        {
            ExamplesPath = "esci/examples.csv",
            ProductsPath = "esci/products.csv",
            TrainSize = 100,
            ValidationSize = 2,
            TestSize = 100,
            BadRows = BadRowPolicy.Skip,
        };
        change?.Invoke(options);
        return options;
    }

    private static DatasetSplits Load(EsciOptions options, int seed = 1234) => new EsciDataset(options).Load(TestData.Context(seed));

    [Fact]
    public void Examples_join_products_on_locale_and_id_and_split_by_the_split_column()
    {
        var splits = Load(CsvOptions());
        // us rows: 16 train-split query rows + 2 extra train rows, 8 test rows; 2 train-split rows go to validation.
        splits.Validation.Count.ShouldBe(2);
        (splits.Train.Count + splits.Validation.Count).ShouldBe(17); // example 1002 has no product
        splits.Test.Count.ShouldBe(8);
        splits.Report.RowsRead.ShouldBe(35);
        var missing = splits.Report.Rejected.ShouldHaveSingleItem();
        missing.File.ShouldEndWith("examples.csv");
        missing.Line.ShouldBe(36);
        missing.Reason.ShouldStartWith("no product with product_locale = us and product_id = BMISSING in ");

        var all = splits.Train.Concat(splits.Validation).ToList();
        all.Single(e => e.Id == "1000").Prompt[1].Content.ShouldContain("Here is the product information:\nTitle: Shared US title\n--------------");
        splits.Test.ShouldAllBe(e => e.Metadata["product_locale"] == "us");

        var allLocales = Load(CsvOptions(o => o.Locales = []));
        allLocales.Train.Concat(allLocales.Validation).Single(e => e.Id == "1001").Prompt[1].Content.ShouldContain("Title: Titulo compartido ES");
    }

    [Fact]
    public void Label_only_examples_use_the_paper_prompt_and_prefill()
    {
        var e = Load(CsvOptions()).Train.Concat(Load(CsvOptions()).Validation).Single(x => x.Id == "0");
        e.Prompt[0].ShouldBe(ChatMessage.System("You are a helpful assistant. You provide the user with the answer."));
        e.Prompt[1].Content.ShouldBe(
            "Your task is to classify each product as being an Exact, Substitute, Complement, or Irrelevant match for the query.\n"
            + "Here is the user\u2019s query:\nusb c charger 65w\n"
            + "Here is the product information:\nTitle: Product 0-0 for usb c charger 65w\nBrand: Brand0\nColor: black\nDescription: Line one, with comma.\nLine \"two\".\n"
            + "--------------\n"
            + "Your final response must be within <answer> </answer> tags.\n"
            + "Label the relation type as a number: 0 = Exact, 1 = Substitute, 2 = Complement and 3 = Irrelevant. For example,\n"
            + "<answer>one_of_[0, 1, 2, 3]</answer>.");
        e.ResponsePrefix.ShouldBe("<answer>");
        e.Target.ShouldBe("0</answer>");
        e.Reference.ShouldBe("Exact");
        e.Source.ShouldBe("examples.csv:2");

        var irrelevant = Load(CsvOptions(o => o.Prefill = false)).Train.Concat(Load(CsvOptions(o => o.Prefill = false)).Validation).Single(x => x.Id == "3");
        irrelevant.ResponsePrefix.ShouldBe("");
        irrelevant.Target.ShouldBe("<answer>3</answer>");
        irrelevant.Reference.ShouldBe("Irrelevant");
    }

    [Fact]
    public void Cot_reads_rationales_from_a_joined_jsonl_export_and_rejects_training_rows_without_one()
    {
        var splits = Load(new EsciOptions
        {
            ExamplesPath = "esci/joined.jsonl", ProductsPath = null, Variant = EsciVariant.Cot,
            TrainSize = 100, ValidationSize = 0, TestSize = 100, BadRows = BadRowPolicy.Skip,
        });
        // us train-split rows in the join: 16 + example 1000; odd example ids carry no rationale.
        splits.Train.Select(e => int.Parse(e.Id)).ShouldAllBe(id => id % 2 == 0);
        splits.Train.Count.ShouldBe(9);
        splits.Report.Rejected.Count.ShouldBe(8);
        splits.Report.Rejected.ShouldAllBe(r => r.Reason == "empty target: no rationale in 'rationale' (Cot variant)");
        splits.Test.Count.ShouldBe(8); // test rows need no rationale

        var e = splits.Train.Single(x => x.Id == "0");
        e.Prompt[0].Content.ShouldBe(EsciPrompts.CotSystem);
        e.Prompt[1].Content.ShouldContain("Please show your entire reasoning process in **a single** <think> </think> block");
        e.Prompt[1].Content.ShouldEndWith("<think>\n[entire reasoning process here]\n</think>\n<answer>one_of_[0, 1, 2, 3]</answer>");
        e.ResponsePrefix.ShouldBe("<think>");
        e.Target.ShouldBe("\nThe product matches the query \"usb c charger 65w\".\n</think>\n<answer>0</answer>");
        splits.Train.Single(x => x.Id == "1000").Prompt[1].Content.ShouldContain("Title: Shared US title");
        var bullet = splits.Test.Single(x => x.Id == "25");
        bullet.Prompt[1].Content.ShouldContain("Bullet points: Fast/safe");
        bullet.Target.ShouldBe("\n</think>\n<answer>3</answer>"); // query 6, product 1: Irrelevant
    }

    [Fact]
    public void Unknown_labels_splits_flags_and_empty_queries_are_reported()
    {
        var splits = Load(CsvOptions(o => o.ExamplesPath = "esci/examples_bad.csv"));
        splits.Report.Rejected.Select(r => (r.Line, r.Reason)).ShouldBe(
        [
            (6, "unknown label 'X' (expected E, S, C or I)"),
            (7, "empty query"),
            (8, "unknown split 'dev' (expected train or test)"),
            (9, "large_version 'yes' is not 0 or 1"),
        ]);
        Load(CsvOptions(o => { o.ExamplesPath = "esci/examples_bad.csv"; o.Version = EsciVersion.Small; })).Report.Rejected[^1].Reason.ShouldBe("small_version '2' is not 0 or 1");
        Should.Throw<DataException>(() => Load(CsvOptions(o => { o.ExamplesPath = "esci/examples_bad.csv"; o.BadRows = BadRowPolicy.Fail; })))
            .Message.ShouldContain("examples_bad.csv:6: unknown label 'X'");
    }

    [Fact]
    public void Small_version_keeps_rows_flagged_small()
    {
        var splits = Load(CsvOptions(o => o.Version = EsciVersion.Small));
        (splits.Train.Count + splits.Validation.Count).ShouldBe(12 + 1); // 3 of 4 products per query, plus example 1000
        splits.Test.Count.ShouldBe(6);
    }

    [Fact]
    public void The_sample_depends_on_seed_and_example_ids_not_on_file_order()
    {
        string reversed = TestData.TempFile(ReverseRows(File.ReadAllText(TestData.Fixture("esci", "examples.csv"))), ".csv");
        var options = CsvOptions(o => { o.TrainSize = 6; o.ValidationSize = 3; o.TestSize = 4; });
        var a = Load(options);
        var b = new EsciDataset(CsvOptions(o => { o.ExamplesPath = reversed; o.TrainSize = 6; o.ValidationSize = 3; o.TestSize = 4; })).Load(TestData.Context());
        b.Train.Select(e => e.Id).Order().ShouldBe(a.Train.Select(e => e.Id).Order());
        b.Validation.Select(e => e.Id).Order().ShouldBe(a.Validation.Select(e => e.Id).Order());
        b.Test.Select(e => e.Id).Order().ShouldBe(a.Test.Select(e => e.Id).Order());
        Load(options, seed: 77).Train.Select(e => e.Id).ShouldNotBe(a.Train.Select(e => e.Id));
    }

    [Fact]
    public void Paper_sampling_takes_49k_train_1k_validation_and_10k_test_rows()
    {
        string labels = "EEEEEEESSI"; // 70% / 20% / 10%, near the paper's table
        var text = new StringBuilder("example_id,query,query_id,product_id,product_locale,esci_label,small_version,large_version,split,product_title\n");
        for (int i = 0; i < 72_000; i++)
        {
            string split = i < 60_000 ? "train" : "test";
            text.Append($"{i},query {i / 10},{i / 10},P{i},us,{labels[i % 10]},1,1,{split},Product {i}\n");
        }
        string path = TestData.TempFile(text.ToString(), ".csv");
        var options = new EsciOptions { ExamplesPath = path, ProductsPath = null, ProductFields = ["product_title"] };
        var splits = new EsciDataset(options).Load(TestData.Context(2025));
        splits.Train.Count.ShouldBe(49_000);
        splits.Validation.Count.ShouldBe(1_000);
        splits.Test.Count.ShouldBe(10_000);
        splits.Report.RowsRead.ShouldBe(72_000);
        var ids = splits.Train.Concat(splits.Validation).Concat(splits.Test).Select(e => e.Id).ToList();
        ids.Distinct().Count().ShouldBe(60_000);
        splits.Test.ShouldAllBe(e => int.Parse(e.Id) >= 60_000);
        splits.Train.Count(e => e.Reference == "Exact").ShouldBeInRange(33_300, 35_300); // ~70% of 49k
        splits.Report.Notes.ShouldContain(n => n.StartsWith("train labels: Exact "));
    }

    [Fact]
    public void Options_validator_names_the_option()
    {
        var validator = new EsciOptionsValidator();
        validator.Validate(null, new EsciOptions()).Succeeded.ShouldBeTrue();
        validator.Validate(null, new EsciOptions { ProductFields = ["product_price"] }).FailureMessage!.ShouldContain("productFields: 'product_price'");
        validator.Validate(null, new EsciOptions { TrainSize = 0, ValidationSize = 0, TestSize = 0 }).FailureMessage!.ShouldContain("trainSize, validationSize and testSize");
    }

    private static string ReverseRows(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", lines.Take(1).Concat(lines.Skip(1).Reverse())) + "\n";
    }
}
