using System.Text.Json;
using Retain.Plugins;

namespace Retain.Datasets.Formats;

/// <summary>JSONL, JSON, Parquet or Arrow rows of chat <c>messages</c> or <c>prompt</c>/<c>completion</c> (<see cref="ChatFormat"/>).</summary>
[RetainComponent("jsonl", Description = "Chat 'messages' or 'prompt'/'completion' rows from JSONL, JSON, Parquet or Arrow files, shard folders or hub-cache datasets; graded by exact match, regex or an answer extractor.", Options = typeof(JsonlOptions))]
public sealed class JsonlDataset(JsonlOptions options) : FormatDataset(options)
{
    /// <inheritdoc />
    protected override FormatRow Parse(JsonElement record) => ChatFormat.Parse(record, options);

    /// <inheritdoc />
    protected override IReadOnlyCollection<string>[] ColumnSets => [[options.MessagesField], [options.PromptField, options.CompletionField]];
}

/// <summary>Alpaca rows: <c>instruction</c>, <c>input</c>, <c>output</c> (<see cref="AlpacaFormat"/>), from the same files.</summary>
[RetainComponent("alpaca", Description = "Alpaca instruction/input/output rows from JSON, JSONL, Parquet or Arrow files, shard folders or hub-cache datasets; graded by exact match, regex or an answer extractor.", Options = typeof(AlpacaOptions))]
public sealed class AlpacaDataset(AlpacaOptions options) : FormatDataset(options)
{
    /// <inheritdoc />
    protected override FormatRow Parse(JsonElement record) => AlpacaFormat.Parse(record, options);

    /// <inheritdoc />
    protected override IReadOnlyCollection<string>[] ColumnSets => [[options.InstructionField, options.OutputField]];
}
