using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;

namespace Retain.Datasets.Formats;

/// <summary>
/// What the format datasets share: read the train file (and the validation and test files when given), hold out
/// ValidationFraction / TestFraction of the train file for the splits that have no file (rows ranked by
/// <see cref="StableHash.Of"/>(seed, row content), see <see cref="SeededSplit"/>), and grade with
/// <see cref="FormatEvaluator"/>.
/// </summary>
public abstract class FormatDataset(FormatOptions options) : IDataset
{
    /// <summary>Parses one record; throws <see cref="FormatException"/> with the reason a row cannot be used.</summary>
    protected abstract FormatRow Parse(JsonElement record, string referenceField);

    /// <inheritdoc />
    public DatasetSplits Load(DatasetLoadContext context)
    {
        var report = new DataReport();
        var issues = new RowIssues(options.BadRows, report);
        int seed = options.Seed ?? context.Seed;
        var train = Read(context.Data.Resolve(options.TrainPath), issues, report);
        var validation = options.ValidationPath is { } v ? Read(context.Data.Resolve(v), issues, report) : null;
        var test = options.TestPath is { } t ? Read(context.Data.Resolve(t), issues, report) : null;
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

    private List<(FormatRow Row, string File, int Line)> Read(string path, RowIssues issues, DataReport report)
    {
        var rows = new List<(FormatRow, string, int)>();
        foreach (var record in JsonRecords.Read(path, report))
        {
            if (record.Error is not null)
            {
                issues.Reject(path, record.Line, record.Error);
                continue;
            }
            try
            {
                rows.Add((Parse(record.Value, options.ReferenceField), path, record.Line));
            }
            catch (FormatException e)
            {
                issues.Reject(path, record.Line, e.Message);
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
            Metadata = new Dictionary<string, string> { [FormatEvaluator.ExplicitReferenceKey] = item.Row.Reference is null ? "false" : "true" },
        };
    }
}
