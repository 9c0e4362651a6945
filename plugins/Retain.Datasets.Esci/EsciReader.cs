using System.Globalization;
using Retain.Data;
using Retain.Datasets.Reading;
using Retain.Datasets.Splitting;

namespace Retain.Datasets.Esci;

/// <summary>The three samples of ESCI rows.</summary>
public sealed record EsciSample(IReadOnlyList<EsciRow> Train, IReadOnlyList<EsciRow> Validation, IReadOnlyList<EsciRow> Test);

/// <summary>
/// Reads the Shopping Queries data and draws the samples in bounded memory:
/// <list type="number">
/// <item>one pass over the examples checks each row inside the configured locales and version (unknown label or
/// split, empty query, product or example id are rejected) and keeps, per split, the best-ranked rows by
/// <see cref="StableHash.Of"/>(seed, example_id): TrainSize + ValidationSize of <c>split = train</c> (the
/// ValidationSize best-ranked of those are validation) and TestSize of <c>split = test</c>;</item>
/// <item>a second pass reads the chosen rows in full;</item>
/// <item>when a products file is given, one pass over it collects the chosen rows' products, joined on
/// (<c>product_locale</c>, <c>product_id</c>).</item>
/// </list>
/// The choice depends on the seed and the example ids only, not on file order.
/// </summary>
public static class EsciReader
{
    private static readonly string[] ExampleFields = ["example_id", "query", "product_id", "product_locale", "esci_label", "split"];

    /// <summary>Reads and samples.</summary>
    /// <param name="examplesPath">The examples: a file (Parquet, Arrow, CSV, JSONL, JSON) or a folder of shards.</param>
    /// <param name="productsPath">The products in the same forms, or null when the examples carry the product columns.</param>
    /// <param name="sourcesPath">shopping_queries_dataset_sources.csv (query_id, source), or null.</param>
    /// <param name="options">The dataset options.</param>
    /// <param name="seed">The sampling seed.</param>
    /// <param name="issues">Bad rows.</param>
    /// <param name="report">Counts and notes.</param>
    public static EsciSample Read(string examplesPath, string? productsPath, string? sourcesPath, EsciOptions options, int seed, RowIssues issues, DataReport report)
    {
        string versionField = options.Version == EsciVersion.Small ? "small_version" : "large_version";
        var locales = new HashSet<string>(options.Locales, StringComparer.OrdinalIgnoreCase);
        var train = new SeededSampler(seed, options.TrainSize + options.ValidationSize);
        var test = new SeededSampler(seed, options.TestSize);
        long outside = 0;

        var files = DataFiles.Of(examplesPath, DataSplit.Train);
        var required = ExampleFields.Append(versionField).ToList();
        if (productsPath is null && files.All(f => DataRecords.IsCsv(f) || DataSources.IsTable(f))) required.AddRange(options.ProductFields);
        foreach (var record in DataSources.ReadFields(files, required, issues, report))
        {
            string? problem;
            bool? isTest;
            string exampleId;
            try
            {
                (problem, isTest, exampleId) = Check(record, versionField, locales);
            }
            catch (FormatException e)
            {
                (problem, isTest, exampleId) = (e.Message, null, "");
            }
            if (problem is not null) { issues.Reject(record.File, record.Line, problem); continue; }
            if (isTest is null) { outside++; continue; }
            (isTest.Value ? test : train).Offer(exampleId, Position(files, record));
        }

        var trainRanked = train.Ranked();
        var validationRows = trainRanked.Take(options.ValidationSize).ToHashSet();
        var trainRows = trainRanked.Skip(options.ValidationSize).ToHashSet();
        var testRows = test.Ranked().ToHashSet();
        report.Notes.Add($"{examplesPath}: {train.Offered} train-split and {test.Offered} test-split rows in locales [{string.Join(", ", options.Locales)}] with {versionField} = 1"
            + $" ({outside} other rows left out by configuration); sampled {trainRows.Count} train + {validationRows.Count} validation and {testRows.Count} test rows, seed {seed}, ranked by StableHash of example_id.");

        var chosen = ReadChosen(files, validationRows.Concat(trainRows).Concat(testRows).ToHashSet(), options, productsPath is null);
        if (productsPath is not null) JoinProducts(productsPath, chosen.Values, options, issues, report);
        var sources = sourcesPath is null ? null : EsciSources.Read(sourcesPath, report);

        List<EsciRow> Part(HashSet<long> positions, bool needsRationale)
        {
            var part = new List<EsciRow>();
            foreach (var row in positions.Order().Select(p => chosen[p]))
            {
                string? problem = row.ProductInfo.Length == 0
                    ? productsPath is null
                        ? $"empty product information (columns {string.Join(", ", options.ProductFields)})"
                        : $"no product with product_locale = {row.Locale} and product_id = {row.ProductId} in {productsPath}"
                    : needsRationale && string.IsNullOrWhiteSpace(row.Rationale)
                        ? $"empty target: no rationale in '{options.RationaleField}' (Cot variant)"
                        : null;
                if (problem is not null)
                {
                    issues.Reject(row.File, row.Line, problem);
                    continue;
                }
                part.Add(sources is null ? row : row with { QuerySource = sources.GetValueOrDefault(row.QueryId, "") });
            }
            return part;
        }

        bool cot = options.Variant == EsciVariant.Cot;
        var sample = new EsciSample(Part(trainRows, cot), Part(validationRows, false), Part(testRows, false));
        foreach (var (name, rows) in new[] { ("train", sample.Train), ("validation", sample.Validation), ("test", sample.Test) })
        {
            report.Notes.Add($"{name} labels: " + string.Join(", ", EsciLabels.Names.Select(l => $"{l} {rows.Count(r => r.Label == l)}")));
        }
        return sample;
    }

    /// <summary>A row's place in the examples: its file's index and its line, ordered as the files are read.</summary>
    private static long Position(IReadOnlyList<string> files, SourceRow row) => ((long)IndexOf(files, row.File) << 32) | (uint)row.Line;

    private static int IndexOf(IReadOnlyList<string> files, string file)
    {
        for (int i = 0; i < files.Count; i++) if (files[i] == file) return i;
        throw new InvalidOperationException($"{file} is not one of the examples files.");
    }

    /// <summary>Why a row is unusable, or whether it is a test row (null: outside the configured locales/version).</summary>
    private static (string? Problem, bool? IsTest, string ExampleId) Check(SourceRow record, string versionField, HashSet<string> locales)
    {
        string locale = record.Field("product_locale")?.Trim() ?? "";
        if (locales.Count > 0 && !locales.Contains(locale)) return (null, null, "");
        string versionText = record.Field(versionField)?.Trim() ?? "";
        bool? inVersion = versionText switch
        {
            "1" or "1.0" or "true" or "True" => true,
            "0" or "0.0" or "false" or "False" => false,
            _ => null,
        };
        if (inVersion is null) return ($"{versionField} '{versionText}' is not 0 or 1", null, "");
        if (!inVersion.Value) return (null, null, "");

        string exampleId = record.Field("example_id")?.Trim() ?? "";
        if (exampleId.Length == 0) return ("empty example_id", null, "");
        string labelText = record.Field("esci_label") ?? "";
        if (EsciLabels.Parse(labelText) is null) return ($"unknown label '{labelText}' (expected E, S, C or I)", null, "");
        if (string.IsNullOrWhiteSpace(record.Field("query"))) return ("empty query", null, "");
        if (string.IsNullOrWhiteSpace(record.Field("product_id"))) return ("empty product_id", null, "");
        return (record.Field("split")?.Trim() ?? "") switch
        {
            "train" => (null, false, exampleId),
            "test" => (null, true, exampleId),
            var split => ($"unknown split '{split}' (expected train or test)", null, ""),
        };
    }

    private static Dictionary<long, EsciRow> ReadChosen(IReadOnlyList<string> files, HashSet<long> positions, EsciOptions options, bool productsInline)
    {
        var chosen = new Dictionary<long, EsciRow>();
        // Every problem was reported by the first pass; chosen rows are valid.
        var quiet = new DataReport();
        foreach (var record in DataSources.ReadFields(files, [], new RowIssues(BadRowPolicy.Skip, quiet), quiet))
        {
            long position = Position(files, record);
            if (!positions.Contains(position)) continue;
            var row = new EsciRow
            {
                ExampleId = record.Field("example_id")!.Trim(),
                Query = record.Field("query")!.Trim(),
                QueryId = record.Field("query_id")?.Trim() ?? "",
                ProductId = record.Field("product_id")!.Trim(),
                Locale = record.Field("product_locale")!.Trim(),
                Label = EsciLabels.Parse(record.Field("esci_label")!)!,
                Rationale = options.Variant == EsciVariant.Cot ? record.Field(options.RationaleField) : null,
                File = record.File,
                Line = record.Line,
            };
            if (productsInline) row.ProductInfo = EsciPrompts.ProductInfo(options.ProductFields, record.Field);
            chosen[position] = row;
        }
        return chosen;
    }

    private static void JoinProducts(string path, IEnumerable<EsciRow> rows, EsciOptions options, RowIssues issues, DataReport report)
    {
        var wanted = rows.GroupBy(r => (r.Locale, r.ProductId)).ToDictionary(g => g.Key, g => g.ToList());
        var productReport = new DataReport();
        int duplicates = 0;
        var found = new HashSet<(string, string)>();
        var files = DataFiles.Of(path, DataSplit.Train);
        var required = new List<string> { "product_id", "product_locale" };
        if (files.All(f => DataRecords.IsCsv(f) || DataSources.IsTable(f))) required.AddRange(options.ProductFields);
        foreach (var record in DataSources.ReadFields(files, required, issues, productReport))
        {
            string? info;
            (string, string) key;
            try
            {
                key = (record.Field("product_locale")?.Trim() ?? "", record.Field("product_id")?.Trim() ?? "");
                if (!wanted.TryGetValue(key, out var matching)) continue;
                if (!found.Add(key)) { duplicates++; continue; }
                info = EsciPrompts.ProductInfo(options.ProductFields, record.Field);
                foreach (var row in matching) row.ProductInfo = info;
            }
            catch (FormatException e)
            {
                issues.Reject(record.File, record.Line, e.Message);
            }
        }
        report.Notes.Add($"{path}: read {productReport.RowsRead.ToString(CultureInfo.InvariantCulture)} product rows, found {found.Count} of the {wanted.Count} products needed"
            + (duplicates > 0 ? $"; {duplicates} repeated (product_locale, product_id) rows ignored, the first kept" : "") + ".");
    }
}
