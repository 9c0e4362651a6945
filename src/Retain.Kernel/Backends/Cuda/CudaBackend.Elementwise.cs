using Retain.Kernel.Backends.Cuda.Compilation;

namespace Retain.Kernel.Backends.Cuda;

public sealed unsafe partial class CudaBackend
{
    /// <inheritdoc />
    public void Add(BufferView<float> output, BufferView<float> a, BufferView<float> b)
    {
        long n = output.Length;
        Launch(CudaKernels.Add, Elements(n), 0, F(output, n, nameof(output)), F(a, n, nameof(a)), F(b, n, nameof(b)), n);
    }

    /// <inheritdoc />
    public void AddInPlace(BufferView<float> target, BufferView<float> source)
    {
        long n = target.Length;
        Launch(CudaKernels.AddInPlace, Elements(n), 0, F(target, n, nameof(target)), F(source, n, nameof(source)), n);
    }

    /// <inheritdoc />
    public void Scale(BufferView<float> target, float factor)
    {
        long n = target.Length;
        Launch(CudaKernels.Scale, Elements(n), 0, F(target, n, nameof(target)), factor, n);
    }

    /// <inheritdoc />
    public void AddScaledDifference(BufferView<float> target, BufferView<float> a, BufferView<float> b, float factor)
    {
        long n = target.Length;
        Launch(CudaKernels.AddScaledDifference, Elements(n), 0, F(target, n, nameof(target)), F(a, n, nameof(a)), F(b, n, nameof(b)), factor, n);
    }

    /// <inheritdoc />
    public void MultiplyAccumulate(BufferView<float> target, BufferView<float> a, BufferView<float> b)
    {
        long n = target.Length;
        Launch(CudaKernels.MultiplyAccumulate, Elements(n), 0, F(target, n, nameof(target)), F(a, n, nameof(a)), F(b, n, nameof(b)), n);
    }

    /// <inheritdoc />
    public double SumOfSquares(BufferView<float> x) => SquaredSum(F(x, x.Length, nameof(x)), DevicePointer.Null, x.Length);

    /// <inheritdoc />
    public double SquaredDistance(BufferView<float> a, BufferView<float> b)
    {
        long n = a.Length;
        return SquaredSum(F(a, n, nameof(a)), F(b, n, nameof(b)), n);
    }

    /// <summary>
    /// Σ a² or Σ (a − b)² in double: at most 1024 blocks of a count-determined size write partials that one thread
    /// adds in order, so the result is the same bits on every run.
    /// </summary>
    private double SquaredSum(DevicePointer a, DevicePointer b, long n)
    {
        if (n == 0) return 0;
        int blocks = (int)Math.Min(1024, (n + 4095) / 4096);
        long perBlock = (n + blocks - 1) / blocks;
        var partials = _reduction.Get((blocks + 1L) * sizeof(double));
        var result = partials.Offset(blocks, sizeof(double));
        Launch(CudaKernels.SumSquaresPartial, new Dim3((uint)blocks), 0, partials, a, b, n, perBlock);
        Launch(CudaKernels.SumPartials, new Dim3(1), 0, result, partials, blocks);
        double value;
        _device.CopyDeviceToHost(&value, result.Address, sizeof(double));
        CheckDeviceErrors();
        return value;
    }

    /// <summary>Rows per chunk and chunk count of the two-stage column sums (bias and norm-weight gradients): ≤ 1024 chunks.</summary>
    private static (int RowsPerChunk, int Chunks) ColumnChunks(int rows)
    {
        int rowsPerChunk = Math.Max(64, (rows + 1023) / 1024);
        return (rowsPerChunk, (rows + rowsPerChunk - 1) / rowsPerChunk);
    }

    /// <summary>target[j] += Σ_rows x[row·width + j], deterministically (per-chunk partials added in chunk order).</summary>
    private void ColumnSumInto(DevicePointer target, DevicePointer x, int rows, int width)
    {
        if (rows == 0 || width == 0) return;
        var (rowsPerChunk, chunks) = ColumnChunks(rows);
        var partials = _partials.Get((long)chunks * width * sizeof(float));
        Launch(CudaKernels.ColumnSumPartial, new Dim3(Blocks(width), (uint)chunks), 0, partials, x, rows, width, rowsPerChunk);
        Launch(CudaKernels.ColumnPartialsFinish, new Dim3(Blocks(width)), 0, target, partials, chunks, width);
    }
}
