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
    public static EsciSample Read(string examplesPath, string? productsPath, EsciOptions options, int seed, RowIssues issues, DataReport report)
    {
        string versionField = options.Version == EsciVersion.Small ? "small_version" : "large_version";
        var locales = new HashSet<string>(options.Locales, StringComparer.OrdinalIgnoreCase);
        var train = new SeededSampler(seed, options.TrainSize + options.ValidationSize);
        var test = new SeededSampler(seed, options.TestSize);
        long outside = 0;

        var required = ExampleFields.Append(versionField).ToList();
        if (productsPath is null && DataRecords.IsCsv(examplesPath)) required.AddRange(options.ProductFields);
        foreach (var record in DataRecords.Read(examplesPath, required, issues, report))
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
            if (problem is not null) { issues.Reject(examplesPath, record.Line, problem); continue; }
            if (isTest is null) { outside++; continue; }
            (isTest.Value ? test : train).Offer(exampleId, record.Line);
        }

        var trainRanked = train.Ranked();
        var validationLines = trainRanked.Take(options.ValidationSize).ToHashSet();
        var trainLines = trainRanked.Skip(options.ValidationSize).ToHashSet();
        var testLines = test.Ranked().ToHashSet();
        report.Notes.Add($"{examplesPath}: {train.Offered} train-split and {test.Offered} test-split rows in locales [{string.Join(", ", options.Locales)}] with {versionField} = 1"
            + $" ({outside} other rows left out by configuration); sampled {trainLines.Count} train + {validationLines.Count} validation and {testLines.Count} test rows, seed {seed}, ranked by StableHash of example_id.");

        var chosen = ReadChosen(examplesPath, validationLines.Concat(trainLines).Concat(testLines).ToHashSet(), options, productsPath is null);
        if (productsPath is not null) JoinProducts(productsPath, chosen.Values, options, issues, report);

        List<EsciRow> Part(HashSet<long> lines, bool needsRationale)
        {
            var part = new List<EsciRow>();
            foreach (var row in lines.Order().Select(l => chosen[l]))
            {
                string? problem = row.ProductInfo.Length == 0
                    ? productsPath is null
                        ? $"empty product information (columns {string.Join(", ", options.ProductFields)})"
                        : $"no product with product_locale = {row.Locale} and product_id = {row.ProductId} in {productsPath}"
                    : needsRationale && string.IsNullOrWhiteSpace(row.Rationale)
                        ? $"empty target: no rationale in '{options.RationaleField}' (Cot variant)"
                        : null;
                if (problem is null) part.Add(row);
                else issues.Reject(row.File, row.Line, problem);
            }
            return part;
        }

        bool cot = options.Variant == EsciVariant.Cot;
        var sample = new EsciSample(Part(trainLines, cot), Part(validationLines, false), Part(testLines, false));
        foreach (var (name, rows) in new[] { ("train", sample.Train), ("validation", sample.Validation), ("test", sample.Test) })
        {
            report.Notes.Add($"{name} labels: " + string.Join(", ", EsciLabels.Names.Select(l => $"{l} {rows.Count(r => r.Label == l)}")));
        }
        return sample;
    }

    /// <summary>Why a row is unusable, or whether it is a test row (null: outside the configured locales/version).</summary>
    private static (string? Problem, bool? IsTest, string ExampleId) Check(DataRecord record, string versionField, HashSet<string> locales)
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

    private static Dictionary<long, EsciRow> ReadChosen(string path, HashSet<long> lines, EsciOptions options, bool productsInline)
    {
        var chosen = new Dictionary<long, EsciRow>();
        // Every problem was reported by the first pass; chosen rows are valid.
        var quiet = new DataReport();
        foreach (var record in DataRecords.Read(path, [], new RowIssues(BadRowPolicy.Skip, quiet), quiet))
        {
            if (!lines.Contains(record.Line)) continue;
            var row = new EsciRow
            {
                ExampleId = record.Field("example_id")!.Trim(),
                Query = record.Field("query")!.Trim(),
                QueryId = record.Field("query_id")?.Trim() ?? "",
                ProductId = record.Field("product_id")!.Trim(),
                Locale = record.Field("product_locale")!.Trim(),
                Label = EsciLabels.Parse(record.Field("esci_label")!)!,
                Rationale = options.Variant == EsciVariant.Cot ? record.Field(options.RationaleField) : null,
                File = path,
                Line = record.Line,
            };
            if (productsInline) row.ProductInfo = EsciPrompts.ProductInfo(options.ProductFields, record.Field);
            chosen[record.Line] = row;
        }
        return chosen;
    }

    private static void JoinProducts(string path, IEnumerable<EsciRow> rows, EsciOptions options, RowIssues issues, DataReport report)
    {
        var wanted = rows.GroupBy(r => (r.Locale, r.ProductId)).ToDictionary(g => g.Key, g => g.ToList());
        var productReport = new DataReport();
        int duplicates = 0;
        var found = new HashSet<(string, string)>();
        var required = new List<string> { "product_id", "product_locale" };
        if (DataRecords.IsCsv(path)) required.AddRange(options.ProductFields);
        foreach (var record in DataRecords.Read(path, required, issues, productReport))
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
                issues.Reject(path, record.Line, e.Message);
            }
        }
        report.Notes.Add($"{path}: read {productReport.RowsRead.ToString(CultureInfo.InvariantCulture)} product rows, found {found.Count} of the {wanted.Count} products needed"
            + (duplicates > 0 ? $"; {duplicates} repeated (product_locale, product_id) rows ignored, the first kept" : "") + ".");
    }
}
