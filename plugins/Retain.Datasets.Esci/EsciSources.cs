using System.Globalization;
using Retain.Data;
using Retain.Datasets.Reading;

namespace Retain.Datasets.Esci;

/// <summary>
/// <c>shopping_queries_dataset_sources.csv</c> of the esci-data repository: for each <c>query_id</c> the way the query
/// was collected (<c>source</c>: other, negations, parse_pattern, behavioral, ...), which the examples carry as
/// <c>query_source</c> metadata so domain scores can be broken down by it.
/// </summary>
public static class EsciSources
{
    /// <summary>Sources by query id; a row without both values is an error naming the file and line.</summary>
    public static Dictionary<string, string> Read(string path, DataReport report)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var quiet = new DataReport();
        foreach (var row in DataSources.ReadFields(DataFiles.Of(path, DataSplit.Train), ["query_id", "source"], new RowIssues(BadRowPolicy.Fail, quiet, "sourcesPath"), quiet))
        {
            string id = row.Field("query_id")?.Trim() ?? "", source = row.Field("source")?.Trim() ?? "";
            if (id.Length == 0 || source.Length == 0) throw new DataException($"{row.File}:{row.Line}: a row without query_id or source.");
            sources[id] = source;
        }
        report.Notes.Add($"{path}: query sources of {sources.Count.ToString(CultureInfo.InvariantCulture)} queries ({string.Join(", ", sources.Values.GroupBy(s => s).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}).");
        return sources;
    }
}
