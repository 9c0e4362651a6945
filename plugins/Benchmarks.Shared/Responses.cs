using Retain.Data;
using Retain.Evaluation;

namespace Retain.Benchmarks;

/// <summary>Checks responses produced elsewhere against the benchmark's documents.</summary>
internal static class Responses
{
    /// <summary>
    /// The responses ordered by doc id, after checking that every id names a document and appears once; errors name
    /// the offending doc_id.
    /// </summary>
    public static List<ResponseRecord> Validate(IReadOnlyList<ResponseRecord> responses, int documentCount, string benchmark)
    {
        var seen = new HashSet<int>();
        foreach (var r in responses)
        {
            if (r.DocId < 0 || r.DocId >= documentCount)
            {
                throw new DataException($"{benchmark}: response doc_id {r.DocId} is out of range; the evaluation file has {documentCount} documents (0..{documentCount - 1}).");
            }
            if (!seen.Add(r.DocId)) throw new DataException($"{benchmark}: doc_id {r.DocId} appears more than once in the responses.");
            if (r.Response is null) throw new DataException($"{benchmark}: doc_id {r.DocId} has no response text.");
        }
        if (responses.Count == 0) throw new DataException($"{benchmark}: no responses to score.");
        return responses.OrderBy(r => r.DocId).ToList();
    }

    /// <summary>
    /// The result, with a note when the responses cover only part of the benchmark's <paramref name="documentCount"/>
    /// documents (the metrics are then over the scored items alone, which the note says).
    /// </summary>
    public static BenchmarkResult WithCoverage(BenchmarkResult result, int scored, int documentCount) => scored >= documentCount ? result : result with
    {
        Notes = [.. result.Notes, $"scored {scored} of {documentCount} items: the responses file has no response for {documentCount - scored} doc_id{(documentCount - scored == 1 ? "" : "s")}, and the metrics are over the {scored} scored items only"],
    };
}
