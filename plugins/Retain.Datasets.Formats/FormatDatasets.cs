using System.Text.Json;
using Retain.Plugins;

namespace Retain.Datasets.Formats;

/// <summary>JSONL (or a JSON array) of chat <c>messages</c> or <c>prompt</c>/<c>completion</c> rows (<see cref="ChatFormat"/>).</summary>
[RetainComponent("jsonl", Description = "JSONL with chat 'messages' or 'prompt'/'completion' rows; graded by exact match, regex or an answer extractor.", Options = typeof(JsonlOptions))]
public sealed class JsonlDataset(JsonlOptions options) : FormatDataset(options)
{
    /// <inheritdoc />
    protected override FormatRow Parse(JsonElement record, string referenceField) => ChatFormat.Parse(record, referenceField);
}

/// <summary>Alpaca JSON or JSONL: <c>instruction</c>, <c>input</c>, <c>output</c> (<see cref="AlpacaFormat"/>).</summary>
[RetainComponent("alpaca", Description = "Alpaca instruction/input/output rows (JSON array or JSONL); graded by exact match, regex or an answer extractor.", Options = typeof(AlpacaOptions))]
public sealed class AlpacaDataset(AlpacaOptions options) : FormatDataset(options)
{
    /// <inheritdoc />
    protected override FormatRow Parse(JsonElement record, string referenceField) => AlpacaFormat.Parse(record, referenceField);
}
