using System.CommandLine;
using System.Globalization;
using Retain.Kernel.Backends;
using Retain.Kernel.Backends.Cuda;
using Retain.Kernel.Diagnostics;
using Retain.Kernel.Formats.Safetensors;
using Retain.Kernel.Models;

namespace Retain.Cli.Commands;

/// <summary>
/// <c>retain debug ...</c>: diagnostics for kernel developers, e.g. the GPU parity scripts in tests/gpu. Not part of
/// the everyday workflow.
/// </summary>
public static class DebugCommand
{
    /// <summary>Creates the verb group.</summary>
    public static Command Create(CliConsole console)
    {
        var group = new Command("debug", "Kernel diagnostics (parity checks against PyTorch; see tests/gpu/README.md).");
        group.Subcommands.Add(TrainStep(console));
        return group;
    }

    /// <summary>
    /// <c>retain debug train-step --model DIR --batch FILE --out FILE [--device D] [--matmul P] [--steps N] [--lr X]
    /// [--weight-decay X] [--max-grad-norm X] [--beta1 X] [--beta2 X] [--eps X]</c>: loads a Hugging Face model directory,
    /// runs training steps on one batch with its per-token coefficients and writes a safetensors file with
    /// <c>loss</c> and <c>grad_norm</c> per step (F64), <c>nll</c> of the first step and <c>grad.&lt;name&gt;</c> for every
    /// parameter's first-step gradient.
    /// </summary>
    private static Command TrainStep(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "A Hugging Face model directory (config.json + *.safetensors).", Required = true };
        var batch = new Option<string>("--batch") { Description = "Batch JSON: {\"rows\": [{\"ids\", \"documents\", \"supervised\"}], \"coefficients\"} (see DebugBatch).", Required = true };
        var output = new Option<string>("--out") { Description = "The safetensors file to write.", Required = true };
        var device = new Option<string>("--device") { Description = BackendFactory.DeviceHelp + ".", DefaultValueFactory = _ => "cpu" };
        var matmul = new Option<string?>("--matmul") { Description = "CUDA GEMM precision: bf16, tf32 or fp32 (default: RETAIN_CUDA_MATMUL, else bf16)." };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps on the batch.", DefaultValueFactory = _ => 1 };
        var lr = new Option<double>("--lr") { Description = "Constant learning rate.", DefaultValueFactory = _ => 1e-3 };
        var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay of matrices and embeddings.", DefaultValueFactory = _ => 0.0 };
        var maxGradNorm = new Option<double>("--max-grad-norm") { Description = "Global gradient-norm clip (0: off).", DefaultValueFactory = _ => 0.0 };
        var beta1 = new Option<double>("--beta1") { DefaultValueFactory = _ => 0.9 };
        var beta2 = new Option<double>("--beta2") { DefaultValueFactory = _ => 0.999 };
        var eps = new Option<double>("--eps") { DefaultValueFactory = _ => 1e-8 };
        var command = new Command("train-step", "Run training steps on one batch and write the losses and first-step gradients (safetensors).")
        {
            model, batch, output, device, matmul, steps, lr, weightDecay, maxGradNorm, beta1, beta2, eps,
        };
        command.SetAction(parse => console.Guard(() =>
        {
            string directory = ModelOptions.Resolve("--model", parse.GetValue(model)!);
            string batchPath = parse.GetValue(batch)!;
            if (!File.Exists(batchPath)) throw new UsageException($"--batch: no file at {batchPath}");
            if (parse.GetValue(steps) < 1) throw new UsageException("--steps must be at least 1.");
            var options = new DebugTrainingOptions
            {
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay),
                MaxGradNorm = parse.GetValue(maxGradNorm),
                Beta1 = parse.GetValue(beta1),
                Beta2 = parse.GetValue(beta2),
                Epsilon = parse.GetValue(eps),
            };
            CudaMatmulPrecision? precision = null;
            if (parse.GetValue(matmul) is { } text)
            {
                try { precision = CudaBackendOptions.ParseMatmul(text, "--matmul"); }
                catch (ArgumentException e) { throw new UsageException(e.Message); }
            }
            string deviceName = parse.GetValue(device)!;
            try { BackendFactory.Parse(deviceName); }
            catch (ArgumentException e) { throw new UsageException("--device: " + e.Message.Split(" (Parameter")[0]); }

            var input = DebugBatch.Load(batchPath);
            using var backend = BackendFactory.Create(deviceName, new BackendFactoryOptions { CudaMatmul = precision });
            using var loaded = Checkpoint.Load(directory, backend);
            var result = DebugTraining.Run(loaded, input, options);
            for (int i = 0; i < result.Losses.Length; i++)
            {
                console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {i + 1}: loss {result.Losses[i]:R} grad_norm {result.GradNorms[i]:R}"));
            }
            Write(parse.GetValue(output)!, result, backend.Name);
            console.Out.WriteLine($"wrote {parse.GetValue(output)} ({result.FirstGradients.Count} gradients, {backend.Name})");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Write(string path, DebugTrainingResult result, string backend)
    {
        var tensors = new List<SafetensorsTensor>
        {
            Doubles("loss", result.Losses),
            Doubles("grad_norm", result.GradNorms),
            SafetensorsTensor.FromFloats("nll", [result.FirstNll.Length], result.FirstNll),
        };
        foreach (var (name, shape, values) in result.FirstGradients)
        {
            tensors.Add(SafetensorsTensor.FromFloats("grad." + name, shape.Select(x => (long)x).ToArray(), values));
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        SafetensorsWriter.Write(path, tensors, new Dictionary<string, string> { ["format"] = "retain-debug-train-step-v1", ["backend"] = backend });
    }

    private static SafetensorsTensor Doubles(string name, double[] values)
    {
        var bytes = new byte[values.Length * sizeof(double)];
        for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * sizeof(double)), values[i]);
        return SafetensorsTensor.FromRaw(name, SafetensorsDType.F64, [values.Length], bytes);
    }
}
