using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Models;
using Retain.Kernel.Training;
using Retain.Testing;

namespace Retain.Kernel.Tests.Training;

internal static class TrainingTestData
{
    public static string Stories => TestPaths.SharedFile("models", "stories260K");

    public static string Fixture(string name) => TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", name);

    /// <summary>Deterministic sequences: a prompt of <c>prompt</c> tokens, then a target.</summary>
    public static TrainingSequence[] Sequences(int count, int vocab, int seed, int minLength = 8, int maxLength = 24)
    {
        var rng = new Random(seed);
        var list = new TrainingSequence[count];
        for (int e = 0; e < count; e++)
        {
            int length = rng.Next(minLength, maxLength + 1);
            var ids = new int[length];
            ids[0] = 1;
            for (int t = 1; t < length; t++) ids[t] = rng.Next(3, vocab);
            int prompt = rng.Next(1, length / 2 + 1);
            list[e] = new TrainingSequence(ids, Enumerable.Range(0, length).Select(t => t >= prompt).ToArray(), e);
        }
        return list;
    }

    /// <summary>The same grid with every position scored (targets 0), to read all logits.</summary>
    public static ForwardBatch AllPositions(TrainingBatch batch)
    {
        var b = batch.Inputs;
        var all = Enumerable.Range(0, b.TokenCount).ToArray();
        return new ForwardBatch(b.Rows, b.Length, b.Ids, b.Positions, b.DocumentStart, all, new int[all.Length]);
    }

    public static CpuBackend Backend(int threads = 2) => new(new CpuBackendOptions { Threads = threads });

    public static float[] AllValues(TransformerModel model) => model.Parameters.Tensors.SelectMany(t => model.Parameters.ReadHost(t)).ToArray();
}
