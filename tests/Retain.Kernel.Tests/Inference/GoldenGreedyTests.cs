using System.Text.Json;
using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Testing;

namespace Retain.Kernel.Tests.Inference;

public sealed class GoldenGreedyTests
{
    private static (int[] Prompt, int[] Expected) Golden()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("models", "stories260K", "golden_greedy.json")));
        var c = doc.RootElement.GetProperty("cases")[0];
        var prompt = c.GetProperty("prompt_ids_with_bos").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var all = c.GetProperty("all_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return (prompt, all[prompt.Length..]);
    }

    [Theory]
    [InlineData(GemmProvider.Managed, 1)]
    [InlineData(GemmProvider.Auto, 2)]
    public void Stories260K_reproduces_the_llama2c_greedy_ids(GemmProvider gemm, int threads)
    {
        using var backend = new CpuBackend(new CpuBackendOptions { Gemm = gemm, Threads = threads });
        using var model = Checkpoint.Load(TestPaths.SharedFile("models", "stories260K"), backend);
        var (prompt, expected) = Golden();
        var output = new Generator(model).Generate([new GenerationInput(prompt, expected.Length, SamplingOptions.Greedy, [])])[0];
        output.Tokens.ShouldBe(expected);
        output.Reason.ShouldBe(FinishReason.Length);
    }

    [Fact]
    public void Batched_generation_matches_single_sequence_generation()
    {
        using var backend = new CpuBackend();
        using var model = Checkpoint.Load(TestPaths.SharedFile("models", "stories260K"), backend);
        var (prompt, expected) = Golden();
        // Prompts are prefixes of the golden continuation, so each greedy continuation is a known suffix.
        var inputs = new[] { 1, 5, 17, 3, 40 }
            .Select(k => new GenerationInput(prompt.Concat(expected.Take(k)).ToArray(), 30, SamplingOptions.Greedy, []))
            .ToArray();
        var outputs = new Generator(model, maxBatch: 2).Generate(inputs);
        for (int i = 0; i < inputs.Length; i++)
        {
            int k = inputs[i].PromptIds.Count - prompt.Length;
            outputs[i].Tokens.ShouldBe(expected.Skip(k).Take(30).ToArray());
        }
    }
}
