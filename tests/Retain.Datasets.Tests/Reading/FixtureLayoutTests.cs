using Parquet;
using Parquet.Meta;
using Retain.Datasets.Tests.Support;

namespace Retain.Datasets.Tests.Reading;

/// <summary>
/// The Parquet fixtures are what their names say (codec, dictionary encoding, row groups, writer), so the reading
/// tests over them cover those cases and not others by accident.
/// </summary>
public class FixtureLayoutTests
{
    [Theory]
    [InlineData("chat/messages.snappy.parquet", CompressionCodec.SNAPPY, 2, true)]
    [InlineData("chat/sharegpt.zstd.parquet", CompressionCodec.ZSTD, 1, true)]
    [InlineData("alpaca/alpaca.gzip.parquet", CompressionCodec.GZIP, 1, false)]
    [InlineData("types/types.parquet", CompressionCodec.UNCOMPRESSED, 1, true)]
    [InlineData("esci/shopping_queries_dataset_examples.parquet", CompressionCodec.SNAPPY, 3, true)]
    public async Task Fixtures_have_the_codec_row_groups_and_encoding_they_are_named_for(string file, CompressionCodec codec, int rowGroups, bool dictionary)
    {
        await using var stream = File.OpenRead(TestData.Fixture(["parquet", .. file.Split('/')]));
        await using var reader = await ParquetReader.CreateAsync(stream);
        reader.Metadata!.CreatedBy.ShouldStartWith("parquet-wasm 0.8.0 (arrow-rs)");
        reader.RowGroupCount.ShouldBe(rowGroups);
        var chunks = reader.Schema.GetDataFields().Select(f => reader.RowGroups[0].GetMetadata(f)!.MetaData!).ToList();
        chunks.ShouldAllBe(c => c.Codec == codec);
        chunks.Any(c => c.DictionaryPageOffset is not null).ShouldBe(dictionary);
    }
}
