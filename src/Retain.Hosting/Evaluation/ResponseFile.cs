using System.Text.Json;
using Retain.Evaluation;

namespace Retain.Hosting.Evaluation;

/// <summary>Reads <c>--responses</c> files: JSONL with <c>doc_id</c> (0-based item position) and <c>response</c> per line.</summary>
public static class ResponseFile
{
    /// <summary>The records; a malformed line is an <see cref="InvalidDataException"/> naming the file and line.</summary>
    public static IReadOnlyList<ResponseRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"responses file not found: {path}", path);
        var records = new List<ResponseRecord>();
        var seen = new Dictionary<int, int>();
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("doc_id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out int docId) || docId < 0
                    || !root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"{path}:{line}: expected an object with \"doc_id\" (a non-negative integer) and \"response\" (a string).");
                }
                if (seen.TryGetValue(docId, out int first)) throw new InvalidDataException($"{path}:{line}: doc_id {docId} already appeared on line {first}.");
                seen[docId] = line;
                records.Add(new ResponseRecord(docId, response.GetString()!));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: not valid JSON ({Configuration.ConfigurationLoader.FirstSentence(e.Message.Split(" Path:")[0])}).", e);
            }
        }
        if (records.Count == 0) throw new InvalidDataException($"{path}: no responses.");
        return records;
    }
}
