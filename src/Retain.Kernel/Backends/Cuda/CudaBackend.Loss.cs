using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Kernel.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void GatedActivationForward(BufferView<float> output, BufferView<float> gate, BufferView<float> up, long count, Activation activation) =>
        Launch(CudaKernels.GatedForward, Elements(count), 0, F(output, count, nameof(output)), F(gate, count, nameof(gate)), F(up, count, nameof(up)),
            count, ActivationKind(activation));

    /// <inheritdoc />
    public void GatedActivationBackward(BufferView<float> gateGrad, BufferView<float> upGrad, BufferView<float> outputGrad, BufferView<float> gate,
        BufferView<float> up, long count, Activation activation) =>
        Launch(CudaKernels.GatedBackward, Elements(count), 0, F(gateGrad, count, nameof(gateGrad)), F(upGrad, count, nameof(upGrad)),
            F(outputGrad, count, nameof(outputGrad)), F(gate, count, nameof(gate)), F(up, count, nameof(up)), count, ActivationKind(activation));

    /// <summary>The kernel's activation code (activation.cu): 0 SiLU, 1 GELU-tanh.</summary>
    private static int ActivationKind(Activation activation) => activation switch
    {
        Activation.Silu => 0,
        Activation.GeluTanh => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <inheritdoc />
    public void CrossEntropyForward(BufferView<float> nll, BufferView<float> logSumExp, BufferView<int> isArgmax, BufferView<float> logits,
        BufferView<int> targets, int rows, int vocab) =>
        Launch(CudaKernels.CrossEntropyForward, new Dim3((uint)rows), 0, F(nll, rows, nameof(nll)), F(logSumExp, rows, nameof(logSumExp)),
            isArgmax.IsNone ? DevicePointer.Null : I(isArgmax, rows, nameof(isArgmax)), F(logits, (long)rows * vocab, nameof(logits)),
            I(targets, rows, nameof(targets)), vocab, ErrorWord);

    /// <inheritdoc />
    public void CrossEntropyBackward(BufferView<float> logits, BufferView<float> logSumExp, BufferView<int> targets, BufferView<float> coefficients,
        int rows, int vocab) =>
        Launch(CudaKernels.CrossEntropyBackward, Elements((long)rows * vocab), 0, F(logits, (long)rows * vocab, nameof(logits)),
            F(logSumExp, rows, nameof(logSumExp)), I(targets, rows, nameof(targets)), F(coefficients, rows, nameof(coefficients)), rows, vocab, ErrorWord);

    /// <inheritdoc />
    public void GatherRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) =>
        Launch(CudaKernels.GatherRows, Elements((long)count * dim), 0, F(output, (long)count * dim, nameof(output)), F(input, input.Length, nameof(input)),
            I(indices, count, nameof(indices)), count, dim, input.Length / dim, ErrorWord);

    /// <inheritdoc />
    public void ScatterAddRows(BufferView<float> output, BufferView<float> input, BufferView<int> indices, int count, int dim) =>
        Launch(CudaKernels.ScatterAddRows, Elements((long)count * dim), 0, F(output, output.Length, nameof(output)), F(input, (long)count * dim, nameof(input)),
            I(indices, count, nameof(indices)), count, dim, output.Length / dim, ErrorWord);
}
