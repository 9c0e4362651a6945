using Retain.Kernel.Backends.Cpu;
using Retain.Kernel.Backends.Cpu.Gemm;
using Retain.Kernel.Models;
using Xunit.Abstractions;
using static Retain.Kernel.Tests.Reference.Numerics;

namespace Retain.Kernel.Tests.Models;

/// <summary>
/// Logits, per-token NLLs, the loss and every parameter gradient of one training step against the float64 PyTorch
/// reference (tests/reference/torch_reference.py), within 1e-4 relative error (max |Δ| / max |reference| per tensor).
/// </summary>
public sealed class ReferenceParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string, GemmProvider, bool> Cases()
    {
        var data = new TheoryData<string, GemmProvider, bool>();
        foreach (var c in ReferenceFixture.Cases) data.Add(c, GemmProvider.Auto, true);
        data.Add("qwen3", GemmProvider.Managed, true);
        data.Add("gemma3", GemmProvider.Managed, true);
        // Attention keeping log-sum-exps and recomputing probabilities in the backward.
        data.Add("gemma3", GemmProvider.Auto, false);
        data.Add("stories260K", GemmProvider.Managed, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Logits_loss_and_every_gradient_match_pytorch_float64(string name, GemmProvider gemm, bool keepProbabilities)
    {
        var fixture = ReferenceFixture.Load(name);
        using var backend = new CpuBackend(new CpuBackendOptions { Gemm = gemm, Threads = 2 });
        using var model = Checkpoint.Load(fixture.ModelDirectory, backend, new ModelOptions { AttentionProbabilityBudget = keepProbabilities ? 8L << 20 : 0 });
        int vocab = model.Config.VocabSize;

        var all = fixture.AllPositions();
        model.Forward(all, training: false);
        var logits = new float[all.ScoredTokens.Length * vocab];
        model.ReadLogits(logits);
        double logitError = RelativeError(logits, ToDouble(fixture.Expected.ReadFloat32("logits")));
        output.WriteLine($"{name}: logits {logitError:E2}");
        logitError.ShouldBeLessThan(Tolerance);

        var batch = fixture.TrainingBatch();
        model.Parameters.EnsureGradients();
        model.Parameters.ZeroGradients();
        model.Forward(batch, training: true);
        var nll = new float[batch.ScoredTokens.Length];
        model.ReadNll(nll);
        double nllError = RelativeError(nll, ToDouble(fixture.Expected.ReadFloat32("nll")));
        double loss = nll.Select((v, i) => (double)v * fixture.Coefficients[i]).Sum();
        double expectedLoss = fixture.Expected.ReadFloat32("loss")[0];
        output.WriteLine($"{name}: nll {nllError:E2}, loss {loss:F6} vs {expectedLoss:F6}");
        nllError.ShouldBeLessThan(Tolerance);
        Math.Abs(loss - expectedLoss).ShouldBeLessThan(Tolerance * Math.Abs(expectedLoss));

        model.Backward(fixture.Coefficients);
        double worst = 0;
        foreach (var tensor in model.Parameters.Tensors)
        {
            var grad = new float[tensor.Length];
            backend.Download(tensor.Gradient, grad);
            double error = RelativeError(grad, ToDouble(fixture.Expected.ReadFloat32("grad." + tensor.Name)));
            worst = Math.Max(worst, error);
            error.ShouldBeLessThan(Tolerance, $"gradient of {tensor.Name}");
        }
        output.WriteLine($"{name}: worst gradient {worst:E2} over {model.Parameters.Tensors.Count} tensors");
        fixture.Expected.Dispose();
    }
}
