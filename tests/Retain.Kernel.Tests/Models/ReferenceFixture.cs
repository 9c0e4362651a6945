using System.Text.Json;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;
using Retain.Testing;

namespace Retain.Kernel.Tests.Models;

/// <summary>A case written by tests/reference/torch_reference.py: model directory, batch and float64 PyTorch results.</summary>
internal sealed class ReferenceFixture
{
    public static readonly string[] Cases = ["stories260K", "llama3", "qwen2", "qwen3", "gemma3"];

    private ReferenceFixture(string name, string modelDirectory, BatchRow[] rows, float[] coefficients, SafetensorsFile expected)
    {
        Name = name;
        ModelDirectory = modelDirectory;
        Rows = rows;
        Coefficients = coefficients;
        Expected = expected;
    }

    public string Name { get; }
    public string ModelDirectory { get; }
    public BatchRow[] Rows { get; }
    public float[] Coefficients { get; }
    public SafetensorsFile Expected { get; }

    public sealed record BatchRow(int[] Ids, int[] Documents, bool[] Supervised);

    public static ReferenceFixture Load(string name)
    {
        string directory = TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", name);
        string model = name == "stories260K" ? TestPaths.SharedFile("models", "stories260K") : directory;
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "batch.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => new BatchRow(
            r.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            r.GetProperty("documents").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            r.GetProperty("supervised").EnumerateArray().Select(e => e.GetInt32() != 0).ToArray())).ToArray();
        var coefficients = doc.RootElement.GetProperty("coefficients").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        return new ReferenceFixture(name, model, rows, coefficients, SafetensorsFile.Open(Path.Combine(directory, "expected.safetensors")));
    }

    /// <summary>The training batch: token t is scored when t + 1 is supervised and in the same document.</summary>
    public ForwardBatch TrainingBatch() => Build(scoreAll: false);

    /// <summary>Every position scored (targets are placeholders), to read all logits.</summary>
    public ForwardBatch AllPositions() => Build(scoreAll: true);

    private ForwardBatch Build(bool scoreAll)
    {
        int rows = Rows.Length, length = Rows[0].Ids.Length;
        var ids = new int[rows * length];
        var positions = new int[rows * length];
        var starts = new int[rows * length];
        var scored = new List<int>();
        var targets = new List<int>();
        for (int r = 0; r < rows; r++)
        {
            int start = 0;
            foreach (int docLength in Rows[r].Documents)
            {
                for (int t = start; t < start + docLength; t++)
                {
                    int i = r * length + t;
                    ids[i] = Rows[r].Ids[t];
                    positions[i] = t - start;
                    starts[i] = start;
                    if (scoreAll)
                    {
                        scored.Add(i);
                        targets.Add(0);
                    }
                    else if (t + 1 < start + docLength && Rows[r].Supervised[t + 1])
                    {
                        scored.Add(i);
                        targets.Add(Rows[r].Ids[t + 1]);
                    }
                }
                start += docLength;
            }
        }
        return new ForwardBatch(rows, length, ids, positions, starts, scored.ToArray(), targets.ToArray());
    }
}
