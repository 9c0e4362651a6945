using System.Text.Json;
using Retain.Kernel.Inference;
using Retain.Testing;

namespace Retain.Kernel.Tests.Inference;

/// <summary>
/// The sampler leaves the tokens transformers' warpers leave (temperature, top-k with ties, top-p), with the same
/// renormalised probabilities: cases from <c>tests/reference/sampling_reference.py</c> (PyTorch float32 ops).
/// </summary>
public class SamplerTests
{
    private sealed record Case(int Row, double Temperature, int TopK, double TopP, int[] Kept, double[] Probabilities);

    private sealed record Fixture(float[][] Rows, Case[] Cases);

    private static readonly Fixture Reference = JsonSerializer.Deserialize<Fixture>(
        File.ReadAllText(TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", "sampling", "warpers.json")),
        new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    [Fact]
    public void Temperature_top_k_and_top_p_leave_the_tokens_and_probabilities_transformers_leaves()
    {
        Reference.Cases.Length.ShouldBe(240);
        foreach (var c in Reference.Cases)
        {
            var logits = Reference.Rows[c.Row];
            var sampler = new Sampler(new SamplingOptions(c.Temperature, c.TopP, TopK: c.TopK));
            int kept = sampler.Filter(logits);
            string where = $"row {c.Row} (vocabulary {logits.Length}), temperature {c.Temperature}, top_k {c.TopK}, top_p {c.TopP}";
            var ids = sampler.Candidates[..kept].ToArray();
            // The same tokens, up to which of exactly tied tokens top-p keeps at its cut (torch.sort's order of ties
            // is unspecified): compare the kept logits and probabilities as sorted lists, and the ids of untied tokens.
            ids.Select(i => logits[i]).Order().ToArray().ShouldBe(c.Kept.Select(i => logits[i]).Order().ToArray(), where);
            var tied = logits.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            ids.Where(i => !tied.Contains(logits[i])).Order().ToArray().ShouldBe(c.Kept.Where(i => !tied.Contains(logits[i])).ToArray(), where);
            double mass = ids.Sum(i => (double)sampler.Probabilities[i]);
            var actual = ids.Select(i => sampler.Probabilities[i] / mass).Order().ToArray();
            var expected = c.Probabilities.Order().ToArray();
            for (int i = 0; i < expected.Length; i++) actual[i].ShouldBe(expected[i], 2e-6, where);
        }
    }

    [Fact]
    public void Top_k_keeps_every_token_tied_with_the_kth_and_sampling_stays_among_them()
    {
        float[] logits = [1f, 5f, 4f, 4f, -2f, 4f, 0f];
        var sampler = new Sampler(new SamplingOptions(Temperature: 1, TopK: 2, Seed: 5));
        var seen = new HashSet<int>();
        for (int i = 0; i < 2000; i++) seen.Add(sampler.Next(logits));
        seen.Order().ToArray().ShouldBe([1, 2, 3, 5]);
        Should.Throw<ArgumentOutOfRangeException>(() => new Sampler(new SamplingOptions(1, TopK: -1)));
    }
}
