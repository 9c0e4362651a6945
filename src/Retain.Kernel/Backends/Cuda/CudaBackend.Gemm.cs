using Retain.Kernel.Backends.Cuda.Compilation;
using Retain.Kernel.Backends.Cuda.Interop;

namespace Retain.Kernel.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha, BufferView<float> a, int lda,
        BufferView<float> b, int ldb, float beta, BufferView<float> c, int ldc)
    {
        var pa = F(a, MatrixExtent(transposeA ? k : m, transposeA ? m : k, lda), nameof(a));
        var pb = F(b, MatrixExtent(transposeB ? n : k, transposeB ? k : n, ldb), nameof(b));
        var pc = F(c, MatrixExtent(m, n, ldc), nameof(c));
        MatMul(transposeA, transposeB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    /// <summary>Elements a row-major rows×cols matrix with leading dimension ld spans.</summary>
    private static long MatrixExtent(int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return 0;
        if (ld < cols) throw new ArgumentException($"Leading dimension {ld} is smaller than the {cols} columns.");
        return (long)(rows - 1) * ld + cols;
    }

    /// <summary>
    /// Row-major C = alpha·op(A)·op(B) + beta·C in the backend's precision. bf16: both operands are rounded into
    /// scratch copies by the cast kernel and multiplied with fp32 accumulation into the fp32 C.
    /// </summary>
    private void MatMul(bool transposeA, bool transposeB, int m, int n, int k, float alpha, DevicePointer a, int lda,
        DevicePointer b, int ldb, float beta, DevicePointer c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (Matmul == CudaMatmulPrecision.Bf16)
        {
            var a16 = CastToBf16(_castA, a, MatrixExtent(transposeA ? k : m, transposeA ? m : k, lda));
            var b16 = CastToBf16(_castB, b, MatrixExtent(transposeB ? n : k, transposeB ? k : n, ldb));
            RowMajorGemm(transposeA, transposeB, m, n, k, alpha, a16, CudaDataType.BFloat16, lda, 0, b16, CudaDataType.BFloat16, ldb, 0,
                beta, c, ldc, 0, 1, CublasComputeType.Float32);
        }
        else
        {
            RowMajorGemm(transposeA, transposeB, m, n, k, alpha, a, CudaDataType.Float32, lda, 0, b, CudaDataType.Float32, ldb, 0,
                beta, c, ldc, 0, 1, Matmul == CudaMatmulPrecision.Tf32 ? CublasComputeType.Float32FastTf32 : CublasComputeType.Float32);
        }
    }

    private DevicePointer CastToBf16(Memory.DeviceScratch scratch, DevicePointer source, long elements)
    {
        if (elements == 0) return source;
        var target = scratch.Get(elements * sizeof(ushort));
        Launch(CudaKernels.CastBf16, Elements(elements), 0, target, source with { Bytes = elements * sizeof(float) }, elements);
        return target;
    }

    /// <summary>The compute type of the fp32 strided-batched GEMMs (attention scores and their gradients).</summary>
    private CublasComputeType BatchedCompute => Matmul switch
    {
        CudaMatmulPrecision.Bf16 => CublasComputeType.Float32FastBf16,
        CudaMatmulPrecision.Tf32 => CublasComputeType.Float32FastTf32,
        _ => CublasComputeType.Float32,
    };

    /// <summary>
    /// A row-major (strided-batched) GEMM through column-major cuBLAS: row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ,
    /// so the operands swap places and m and n swap; leading dimensions and transposes carry over unchanged.
    /// </summary>
    private void RowMajorGemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        DevicePointer a, CudaDataType aType, int lda, long strideA, DevicePointer b, CudaDataType bType, int ldb, long strideB,
        float beta, DevicePointer c, int ldc, long strideC, int batch, CublasComputeType compute)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (m == 0 || n == 0 || batch == 0) return;
        _device.Gemm(new GemmCall(transposeB, transposeA, n, m, k, alpha, b.Address, bType, ldb, strideB, a.Address, aType, lda, strideA,
            beta, c.Address, ldc, strideC, batch, compute));
    }

    /// <inheritdoc />
    public void LinearForward(BufferView<float> output, BufferView<float> input, BufferView<float> weight, BufferView<float> bias,
        int rows, int inFeatures, int outFeatures)
    {
        var y = F(output, (long)rows * outFeatures, nameof(output));
        var x = F(input, (long)rows * inFeatures, nameof(input));
        var w = F(weight, (long)outFeatures * inFeatures, nameof(weight));
        var b = Optional(bias, outFeatures, nameof(bias));
        MatMul(false, true, rows, outFeatures, inFeatures, 1f, x, inFeatures, w, inFeatures, 0f, y, outFeatures);
        if (b.IsNull) return;
        long rowCount = rows;
        Launch(CudaKernels.AddBias, Elements(rowCount * outFeatures), 0, y, b, rowCount, outFeatures);
    }

    /// <inheritdoc />
    public void LinearBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> biasGrad,
        BufferView<float> outputGrad, BufferView<float> input, BufferView<float> weight, int rows, int inFeatures, int outFeatures,
        bool accumulateInput)
    {
        var dx = Optional(inputGrad, (long)rows * inFeatures, nameof(inputGrad));
        var dw = Optional(weightGrad, (long)outFeatures * inFeatures, nameof(weightGrad));
        var db = Optional(biasGrad, outFeatures, nameof(biasGrad));
        var dy = F(outputGrad, (long)rows * outFeatures, nameof(outputGrad));
        var w = F(weight, (long)outFeatures * inFeatures, nameof(weight));
        var x = dw.IsNull ? DevicePointer.Null : F(input, (long)rows * inFeatures, nameof(input));
        if (!dx.IsNull) MatMul(false, false, rows, inFeatures, outFeatures, 1f, dy, outFeatures, w, inFeatures, accumulateInput ? 1f : 0f, dx, inFeatures);
        if (!dw.IsNull) MatMul(true, false, outFeatures, inFeatures, rows, 1f, dy, outFeatures, x, inFeatures, 1f, dw, inFeatures);
        if (!db.IsNull) ColumnSumInto(db, dy, rows, outFeatures);
    }
}
