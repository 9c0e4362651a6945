using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Kernel.Backends.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void EmbeddingForward(BufferView<float> output, BufferView<float> table, BufferView<int> ids, int rows, int dim, float scale)
    {
        int vocab = (int)(table.Length / dim);
        long n = (long)rows * dim;
        Launch(CudaKernels.EmbeddingForward, Elements(n), 0, F(output, n, nameof(output)), F(table, (long)vocab * dim, nameof(table)),
            I(ids, rows, nameof(ids)), rows, dim, vocab, scale, ErrorWord);
    }

    /// <inheritdoc />
    public void EmbeddingBackward(BufferView<float> tableGrad, BufferView<float> outputGrad, BufferView<int> ids, int rows, int dim, float scale)
    {
        int vocab = (int)(tableGrad.Length / dim);
        // Up to 64 vocabulary chunks, each walked by its own blocks over all rows (deterministic, no atomics).
        int chunks = Math.Clamp(vocab, 1, 64);
        int vocabPerChunk = (vocab + chunks - 1) / chunks;
        Launch(CudaKernels.EmbeddingBackward, new Dim3(Blocks(dim), (uint)chunks), 0, F(tableGrad, (long)vocab * dim, nameof(tableGrad)),
            F(outputGrad, (long)rows * dim, nameof(outputGrad)), I(ids, rows, nameof(ids)), rows, dim, vocab, vocabPerChunk, scale, ErrorWord);
    }

    /// <inheritdoc />
    public void RmsNormForward(BufferView<float> output, BufferView<float> rstd, BufferView<float> input, BufferView<float> weight,
        int rows, int dim, float eps, float weightOffset)
    {
        long n = (long)rows * dim;
        Launch(CudaKernels.RmsNormForward, new Dim3((uint)rows), 0, F(output, n, nameof(output)), F(rstd, rows, nameof(rstd)),
            F(input, n, nameof(input)), F(weight, dim, nameof(weight)), dim, eps, weightOffset);
    }

    /// <inheritdoc />
    public void RmsNormBackward(BufferView<float> inputGrad, BufferView<float> weightGrad, BufferView<float> outputGrad,
        BufferView<float> input, BufferView<float> weight, BufferView<float> rstd, int rows, int dim, float weightOffset, bool accumulate)
    {
        long n = (long)rows * dim;
        var dx = Optional(inputGrad, n, nameof(inputGrad));
        var dw = Optional(weightGrad, dim, nameof(weightGrad));
        var dy = F(outputGrad, n, nameof(outputGrad));
        var x = F(input, n, nameof(input));
        var w = F(weight, dim, nameof(weight));
        var r = F(rstd, rows, nameof(rstd));
        if (!dw.IsNull && rows > 0)
        {
            // The weight gradient first, from per-chunk partials summed in chunk order (deterministic).
            var (rowsPerChunk, chunks) = ColumnChunks(rows);
            var partials = _partials.Get((long)chunks * dim * sizeof(float));
            Launch(CudaKernels.RmsNormBackwardWeight, new Dim3(Blocks(dim), (uint)chunks), 0, partials, dy, x, r, rows, dim, rowsPerChunk);
            Launch(CudaKernels.ColumnPartialsFinish, new Dim3(Blocks(dim)), 0, dw, partials, chunks, dim);
        }
        if (!dx.IsNull)
        {
            Launch(CudaKernels.RmsNormBackwardInput, new Dim3((uint)rows), 0, dx, dy, x, w, r, dim, weightOffset, accumulate ? 1 : 0);
        }
    }
}
