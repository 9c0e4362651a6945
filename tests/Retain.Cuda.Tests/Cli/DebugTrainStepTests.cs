using Retain.Kernel.Formats.Safetensors;
using Retain.Testing;

namespace Retain.Cuda.Tests.Cli;

/// <summary>
/// <c>retain debug train-step</c> on the committed PyTorch float64 fixtures (tests/reference/torch_reference.py):
/// the same comparison tests/gpu/run.sh makes on a GPU, here on the CPU backend.
/// </summary>
public class DebugTrainStepTests
{
    private static string Fixture(string name, string file = "") => TestPaths.RepoFile("tests", "Retain.Kernel.Tests", "Fixtures", name, file);

    [Theory]
    [InlineData("qwen2")]
    [InlineData("gemma3")]
    public void One_step_writes_the_loss_and_every_gradient_of_the_pytorch_reference(string name)
    {
        using var temp = new TempFolder();
        string output = Path.Combine(temp.Path, "result.safetensors");

        var (code, stdout, error) = CliRunner.Run("debug", "train-step", "--model", Fixture(name), "--batch", Fixture(name, "batch.json"),
            "--out", output, "--device", "cpu");

        code.ShouldBe(0, error);
        stdout.ShouldStartWith("step 1: loss ");
        using var result = SafetensorsFile.Open(output);
        using var expected = SafetensorsFile.Open(Fixture(name, "expected.safetensors"));
        result.Metadata["backend"].ShouldStartWith("cpu (");
        double loss = ReadDoubles(result, "loss")[0];
        loss.ShouldBe(expected.ReadFloat32("loss")[0], 1e-4 * Math.Abs(expected.ReadFloat32("loss")[0]));
        RelativeError(result.ReadFloat32("nll"), expected.ReadFloat32("nll")).ShouldBeLessThan(1e-4);
        var gradients = result.Tensors.Select(t => t.Name).Where(n => n.StartsWith("grad.", StringComparison.Ordinal)).ToList();
        gradients.Count.ShouldBe(expected.Tensors.Select(t => t.Name).Count(n => n.StartsWith("grad.", StringComparison.Ordinal)));
        foreach (var gradient in gradients)
        {
            RelativeError(result.ReadFloat32(gradient), expected.ReadFloat32(gradient)).ShouldBeLessThan(1e-4, gradient);
        }
    }

    [Fact]
    public void Several_steps_lower_the_loss_of_the_batch()
    {
        using var temp = new TempFolder();
        string output = Path.Combine(temp.Path, "curve.safetensors");

        var (code, stdout, error) = CliRunner.Run("debug", "train-step", "--model", Fixture("qwen3"), "--batch", Fixture("qwen3", "batch.json"),
            "--out", output, "--steps", "5", "--lr", "1e-2", "--max-grad-norm", "1", "--weight-decay", "0.01");

        code.ShouldBe(0, error);
        stdout.Split('\n').Count(l => l.StartsWith("step ", StringComparison.Ordinal)).ShouldBe(5);
        using var result = SafetensorsFile.Open(output);
        var losses = ReadDoubles(result, "loss");
        losses.Length.ShouldBe(5);
        losses[4].ShouldBeLessThan(losses[0]);
        ReadDoubles(result, "grad_norm").ShouldAllBe(n => n > 0);
    }

    [Fact]
    public void A_malformed_batch_is_an_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string batch = temp.File("batch.json", """{"rows": [{"ids": [1, 2, 3], "documents": [2], "supervised": [0, 1, 1]}]}""");

        var (code, _, error) = CliRunner.Run("debug", "train-step", "--model", Fixture("qwen2"), "--batch", batch, "--out", Path.Combine(temp.Path, "x.safetensors"));

        code.ShouldBe(1);
        error.ShouldContain(batch + ": the document lengths of row 0 must be positive and add up to 3.");
    }

    private static double[] ReadDoubles(SafetensorsFile file, string name) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(file.RawBytes(file[name])).ToArray();

    private static double RelativeError(float[] actual, float[] expected)
    {
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)actual[i] - expected[i]));
            maxRef = Math.Max(maxRef, Math.Abs((double)expected[i]));
        }
        return actual.Length != expected.Length ? double.PositiveInfinity : maxRef > 0 ? maxDiff / maxRef : maxDiff;
    }
}
