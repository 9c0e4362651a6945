using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Kernel.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void DropoutForward(BufferView<float> output, BufferView<float> mask, BufferView<float> input, long count, float probability, ulong seed)
    {
        if (probability is < 0f or >= 1f) throw new ArgumentOutOfRangeException(nameof(probability), "Dropout probability must lie in [0, 1).");
        Launch(CudaKernels.DropoutForward, Elements(count), 0, F(output, count, nameof(output)), F(mask, count, nameof(mask)), F(input, count, nameof(input)),
            count, probability, 1f / (1f - probability), seed);
    }

    /// <inheritdoc />
    public void AdamWStep(BufferView<float> parameters, BufferView<float> gradients, BufferView<float> firstMoment, BufferView<float> secondMoment,
        double learningRate, double beta1, double beta2, double epsilon, double weightDecay, int step, float gradientScale = 1f)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), "AdamW steps count from 1.");
        long n = parameters.Length;
        // The scalars exactly as the CPU op forms them (Backends/Cpu/Ops/AdamW.cs).
        double bc1 = 1 - Math.Pow(beta1, step);
        double bc2 = 1 - Math.Pow(beta2, step);
        Launch(CudaKernels.AdamW, Elements(n), 0, F(parameters, n, nameof(parameters)), F(gradients, n, nameof(gradients)),
            F(firstMoment, n, nameof(firstMoment)), F(secondMoment, n, nameof(secondMoment)), n,
            (float)(1 - learningRate * weightDecay), (float)(1 - beta1), (float)beta2, (float)(1 - beta2), (float)(learningRate / bc1),
            (float)Math.Sqrt(bc2), (float)epsilon, gradientScale);
    }
}
