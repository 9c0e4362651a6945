using System.Text.Json;
using Retain.Kernel.Models;

namespace Retain.Kernel.Diagnostics;

/// <summary>
/// A hand-made training batch for parity checks (the format tests/reference/torch_reference.py and
/// tests/gpu/parity.py write): <c>{"rows": [{"ids": [...], "documents": [lengths...], "supervised": [0|1...]}, ...],
/// "coefficients": [...]}</c>. Rows have equal length; each document of a row is an independent sequence (positions
/// restart, no attention across documents); token t is scored when token t + 1 is supervised and in the same
/// document, with target t + 1. The loss is Σ_i c_i·nll_i (coefficients default to 1/N, the mean).
/// </summary>
public sealed class DebugBatch
{
    private DebugBatch(ForwardBatch batch, float[] coefficients)
    {
        Batch = batch;
        Coefficients = coefficients;
    }

    /// <summary>The model input.</summary>
    public ForwardBatch Batch { get; }

    /// <summary>c_i per scored token.</summary>
    public float[] Coefficients { get; }

    /// <summary>Reads a batch file; a malformed one is an <see cref="InvalidDataException"/> naming the file and the problem.</summary>
    public static DebugBatch Load(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}).", e);
        }
        using (doc)
        {
            try
            {
                return Parse(doc.RootElement, path);
            }
            catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
        }
    }

    private static DebugBatch Parse(JsonElement root, string path)
    {
        var rows = root.GetProperty("rows").EnumerateArray().Select(r => (
            Ids: r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Documents: r.GetProperty("documents").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Supervised: r.GetProperty("supervised").EnumerateArray().Select(e => e.GetInt32() != 0).ToArray())).ToArray();
        if (rows.Length == 0) throw new InvalidDataException($"{path}: 'rows' is empty.");
        int length = rows[0].Ids.Length;
        int n = rows.Length * length;
        var ids = new int[n];
        var positions = new int[n];
        var starts = new int[n];
        var scored = new List<int>();
        var targets = new List<int>();
        for (int r = 0; r < rows.Length; r++)
        {
            var row = rows[r];
            if (row.Ids.Length != length || row.Supervised.Length != length)
            {
                throw new InvalidDataException($"{path}: row {r} has {row.Ids.Length} ids and {row.Supervised.Length} supervision flags; every row needs {length} of each.");
            }
            if (row.Documents.Sum() != length || row.Documents.Any(d => d < 1))
            {
                throw new InvalidDataException($"{path}: the document lengths of row {r} must be positive and add up to {length}.");
            }
            int start = 0;
            foreach (int documentLength in row.Documents)
            {
                for (int t = start; t < start + documentLength; t++)
                {
                    int i = r * length + t;
                    ids[i] = row.Ids[t];
                    positions[i] = t - start;
                    starts[i] = start;
                    if (t + 1 < start + documentLength && row.Supervised[t + 1])
                    {
                        scored.Add(i);
                        targets.Add(row.Ids[t + 1]);
                    }
                }
                start += documentLength;
            }
        }
        float[] coefficients;
        if (root.TryGetProperty("coefficients", out var c))
        {
            coefficients = c.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            if (coefficients.Length != scored.Count)
            {
                throw new InvalidDataException($"{path}: {coefficients.Length} coefficients for {scored.Count} scored tokens.");
            }
        }
        else
        {
            coefficients = Enumerable.Repeat(1f / Math.Max(1, scored.Count), scored.Count).ToArray();
        }
        var batch = new ForwardBatch(rows.Length, length, ids, positions, starts, scored.ToArray(), targets.ToArray());
        return new DebugBatch(batch, coefficients);
    }
}
