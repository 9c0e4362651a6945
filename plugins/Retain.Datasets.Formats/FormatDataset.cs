using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;

namespace Retain.Datasets.Formats;

/// <summary>
/// What the format datasets share: read the train data (and the validation and test data when given), hold out
/// ValidationFraction / TestFraction of the train rows for the splits that have no data (rows ranked by
/// <see cref="StableHash.Of"/>(seed, row content), see <see cref="SeededSplit"/>), and grade with
/// <see cref="FormatEvaluator"/>. Any path may be a file (JSONL, JSON, Parquet, Arrow IPC) or a dataset folder
/// (<see cref="DataFiles"/>); a train folder with validation or test files supplies those splits when their paths are unset.
/// </summary>
public abstract class FormatDataset(FormatOptions options) : IDataset
{
    /// <summary>Parses one record; throws <see cref="FormatException"/> with the reason a row cannot be used.</summary>
    protected abstract FormatRow Parse(JsonElement record);

    /// <summary>The sets of columns that suffice for the format (a Parquet or Arrow file must have one).</summary>
    protected abstract IReadOnlyCollection<string>[] ColumnSets { get; }

    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        int seed = options.Seed ?? context.Seed;
        string trainPath = context.Data.Resolve(options.TrainPath);
        var train = Read(DataFiles.Require(trainPath, DataSplit.Train), issues, report);
        var validation = SplitRows(options.ValidationPath, trainPath, DataSplit.Validation, context, issues, report);
        var test = SplitRows(options.TestPath, trainPath, DataSplit.Test, context, issues, report);
        var parts = SeededSplit.Split(train, r => r.Row.ContentKey, seed, validation is null ? options.ValidationFraction : 0, test is null ? options.TestFraction : 0);
        if (validation is null || test is null)
        {
            report.Notes.Add($"held out of {options.TrainPath} (seed {seed}, rows ranked by StableHash of their content):"
                + (validation is null ? $" validation {options.ValidationFraction:0.###}" : "")
                + (test is null ? $" test {options.TestFraction:0.###}" : "") + ".");
        }
        return new DatasetSplits
        {
            Train = parts.Train.Select(ToExample).ToList(),
            Validation = (validation ?? parts.Validation).Select(ToExample).ToList(),
            Test = (test ?? parts.Test).Select(ToExample).ToList(),
            Report = report,
        };
    }

    /// <inheritdoc />
    public IDomainEvaluator CreateEvaluator(DatasetLoadContext context) => FormatEvaluator.Create(options, context);

    /// <summary>The rows of a split: its own path, else the train folder's files of that split, else null (held out).</summary>
    private List<(FormatRow Row, string File, int Line)>? SplitRows(string? path, string trainPath, DataSplit split, DatasetLoadContext context, RowIssues issues, DataReport report)
    {
        if (path is not null) return Read(DataFiles.Require(context.Data.Resolve(path), split), issues, report);
        if (!DataFiles.IsFolder(trainPath)) return null;
        var files = DataFiles.Of(trainPath, split);
        if (files.Count == 0) return null;
        report.Notes.Add($"{DataFiles.Name(split)} split: {string.Join(", ", files.Select(f => Path.GetRelativePath(trainPath, f)))} of {trainPath}.");
        return Read(files, issues, report);
    }

    private List<(FormatRow Row, string File, int Line)> Read(IReadOnlyList<string> files, RowIssues issues, DataReport report)
    {
        foreach (var file in files) DataSources.RequireColumns(file, "this format", ColumnSets);
        var rows = new List<(FormatRow, string, int)>();
        foreach (var record in DataSources.ReadJson(files, report))
        {
            if (record.Error is not null)
            {
                issues.Reject(record.File, record.Line, record.Error);
                continue;
            }
            try
            {
                rows.Add((Parse(record.Value), record.File, record.Line));
            }
            catch (FormatException e)
            {
                issues.Reject(record.File, record.Line, e.Message);
            }
        }
        return rows;
    }

    private Example ToExample((FormatRow Row, string File, int Line) item)
    {
        var prompt = item.Row.Prompt;
        if (options.SystemPrompt is { Length: > 0 } system && prompt[0].Role != "system") prompt = [ChatMessage.System(system), .. prompt];
        string source = $"{Path.GetFileName(item.File)}:{item.Line}";
        return new Example
        {
            Id = item.Row.Id ?? $"{Path.GetFileNameWithoutExtension(item.File)}:{item.Line}",
            Prompt = prompt,
            Target = item.Row.Target,
            Reference = item.Row.Reference ?? item.Row.Target,
            Source = source,
            SuperviseHistory = options.SupervisedTurns == SupervisedTurns.All,
            Metadata = new Dictionary<string, string> { [FormatEvaluator.ExplicitReferenceKey] = item.Row.Reference is null ? "false" : "true" },
        };
    }
}
