using System.Numerics.Tensors;
using Retain.Kernel.Backends.Cpu.Gemm;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Linear layers in Hugging Face layout (weight is out × in): y = x·Wᵀ + b, and its backward through GEMMs.</summary>
internal static unsafe class Linear
{
    private struct Args
    {
        public float* Output, Bias;
        public int Rows, Out;
        public Partition Part;
    }

    public static void Forward(CpuWorkers workers, ICpuGemm gemm, float* output, float* input, float* weight, float* bias, int rows, int inFeatures, int outFeatures)
    {
        gemm.Gemm(false, true, rows, outFeatures, inFeatures, 1f, input, inFeatures, weight, inFeatures, 0f, output, outFeatures);
        if (bias is null) return;
        var a = new Args { Output = output, Bias = bias, Rows = rows, Out = outFeatures, Part = new Partition(rows, outFeatures) };
        workers.Run(a.Part.Chunks, &AddBiasBody, &a);
    }

    private static void AddBiasBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        var b = new ReadOnlySpan<float>(a.Bias, a.Out);
        for (long i = start; i < end; i++)
        {
            var row = new Span<float>(a.Output + i * a.Out, a.Out);
            TensorPrimitives.Add(row, b, row);
        }
    }

    public static void Backward(CpuWorkers workers, ICpuGemm gemm, float* inputGrad, float* weightGrad, float* biasGrad, float* outputGrad,
        float* input, float* weight, int rows, int inFeatures, int outFeatures, bool accumulateInput)
    {
        if (inputGrad is not null)
        {
            gemm.Gemm(false, false, rows, inFeatures, outFeatures, 1f, outputGrad, outFeatures, weight, inFeatures,
                accumulateInput ? 1f : 0f, inputGrad, inFeatures);
        }
        if (weightGrad is not null)
        {
            gemm.Gemm(true, false, outFeatures, inFeatures, rows, 1f, outputGrad, outFeatures, input, inFeatures, 1f, weightGrad, inFeatures);
        }
        if (biasGrad is not null)
        {
            // Columns are split across chunks and each column sums its rows in order: deterministic.
            var a = new Args { Output = outputGrad, Bias = biasGrad, Rows = rows, Out = outFeatures, Part = new Partition(outFeatures, rows, maxChunks: 16) };
            workers.Run(a.Part.Chunks, &BiasGradBody, &a);
        }
    }

    private static void BiasGradBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (c0, c1) = a.Part.Range(chunk);
        int width = (int)(c1 - c0);
        var acc = new Span<float>(a.Bias + c0, width);
        for (int i = 0; i < a.Rows; i++)
        {
            TensorPrimitives.Add(acc, new ReadOnlySpan<float>(a.Output + (long)i * a.Out + c0, width), acc);
        }
    }
}
