using Retain.Kernel.Backends;
using Retain.Kernel.Models;

namespace Retain.Kernel.Diagnostics;

/// <summary>Optimizer settings of <see cref="DebugTraining"/> (PyTorch's AdamW and clip_grad_norm_ semantics).</summary>
public sealed record DebugTrainingOptions
{
    /// <summary>Optimizer steps, all on the same batch.</summary>
    public int Steps { get; init; } = 1;

    /// <summary>Constant learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>AdamW β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>AdamW ε.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay of matrices and embeddings (norms and biases never decay).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Global gradient-norm clipping bound; 0 = off.</summary>
    public double MaxGradNorm { get; init; }
}

/// <summary>What <see cref="DebugTraining.Run"/> measured.</summary>
/// <param name="Losses">Σ c_i·nll_i before each step's update.</param>
/// <param name="GradNorms">Global gradient norm of each step (before clipping).</param>
/// <param name="FirstNll">Per-token NLL of the first step.</param>
/// <param name="FirstGradients">Every trainable parameter's gradient of the first step, by name, with its shape.</param>
public sealed record DebugTrainingResult(
    double[] Losses, double[] GradNorms, float[] FirstNll, IReadOnlyList<(string Name, IReadOnlyList<int> Shape, float[] Values)> FirstGradients);

/// <summary>
/// Training steps on one fixed batch with explicit per-token coefficients, straight on the model and backend ops (no
/// strategies): forward, Σ c_i·nll_i, backward, global norm, clip, AdamW. For parity checks against PyTorch
/// (<c>retain debug train-step</c>, tests/gpu/).
/// </summary>
public static class DebugTraining
{
    /// <summary>Runs the steps; the model's weights are updated in place.</summary>
    public static DebugTrainingResult Run(TransformerModel model, DebugBatch batch, DebugTrainingOptions options)
    {
        if (options.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), "At least one step.");
        var backend = model.Backend;
        model.Parameters.EnsureGradients();
        var runs = model.Parameters.TrainableRuns();
        var firstMoments = runs.Select(r => backend.Allocate(r.Values.Length)).ToArray();
        var secondMoments = runs.Select(r => backend.Allocate(r.Values.Length)).ToArray();
        try
        {
            int m = batch.Batch.ScoredTokens.Length;
            var nll = new float[m];
            var losses = new double[options.Steps];
            var norms = new double[options.Steps];
            float[] firstNll = [];
            var gradients = new List<(string, IReadOnlyList<int>, float[])>();
            for (int step = 0; step < options.Steps; step++)
            {
                model.Parameters.ZeroGradients();
                model.Forward(batch.Batch, training: true);
                model.ReadNll(nll);
                double loss = 0;
                for (int i = 0; i < m; i++) loss += (double)batch.Coefficients[i] * nll[i];
                losses[step] = loss;
                model.Backward(batch.Coefficients);
                if (step == 0)
                {
                    firstNll = (float[])nll.Clone();
                    foreach (var tensor in model.Parameters.Tensors.Where(t => t.Trainable))
                    {
                        var values = new float[tensor.Length];
                        backend.Download(tensor.Gradient, values);
                        gradients.Add((tensor.Name, tensor.Shape, values));
                    }
                }
                double squares = 0;
                foreach (var run in runs) squares += backend.SumOfSquares(run.Gradients);
                double norm = Math.Sqrt(squares);
                norms[step] = norm;
                float clip = options.MaxGradNorm > 0 && norm > options.MaxGradNorm ? (float)(options.MaxGradNorm / (norm + 1e-6)) : 1f;
                for (int r = 0; r < runs.Count; r++)
                {
                    backend.AdamWStep(runs[r].Values, runs[r].Gradients, firstMoments[r].View, secondMoments[r].View, options.LearningRate,
                        options.Beta1, options.Beta2, options.Epsilon, runs[r].Decays ? options.WeightDecay : 0, step + 1, clip);
                }
            }
            backend.Synchronize();
            return new DebugTrainingResult(losses, norms, firstNll, gradients);
        }
        finally
        {
            foreach (var buffer in firstMoments) buffer.Dispose();
            foreach (var buffer in secondMoments) buffer.Dispose();
        }
    }
}
