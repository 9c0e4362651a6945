// Deterministic reductions (CPU reference: Backends/Cpu/Ops/Reductions.cs): the grid is chosen from the element count
// alone, each block writes one partial, and the partials are added in order by one thread.
#include "common.cuh"

// partials[block] = Σ over the block's range of x² (b null) or (a − b)², in double.
extern "C" __global__ void retain_sum_squares_partial(double* partials, const float* a, const float* b, long long n, long long perBlock)
{
    __shared__ double scratch[RETAIN_BLOCK];
    long long start = (long long)blockIdx.x * perBlock;
    long long end = start + perBlock < n ? start + perBlock : n;
    double sum = 0.0;
    for (long long i = start + threadIdx.x; i < end; i += RETAIN_BLOCK)
    {
        float x = b ? a[i] - b[i] : a[i];
        sum += (double)x * (double)x;
    }
    sum = retain_block_sum_double(sum, scratch);
    if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

extern "C" __global__ void retain_sum_partials(double* result, const double* partials, int count)
{
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double sum = 0.0;
    for (int i = 0; i < count; i++) sum += partials[i];
    result[0] = sum;
}

// partials[chunk·width + j] = Σ over the chunk's rows of x[row·width + j] (first stage of a bias gradient).
extern "C" __global__ void retain_column_sum_partial(float* partials, const float* x, int rows, int width, int rowsPerChunk)
{
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= width) return;
    int first = blockIdx.y * rowsPerChunk;
    int last = first + rowsPerChunk < rows ? first + rowsPerChunk : rows;
    float sum = 0.0f;
    for (int r = first; r < last; r++) sum += x[(long long)r * width + j];
    partials[(long long)blockIdx.y * width + j] = sum;
}

// out[j] += Σ_chunk partials[chunk·width + j], chunks in order (second stage of bias and norm-weight gradients).
extern "C" __global__ void retain_column_partials_finish(float* out, const float* partials, int chunks, int width)
{
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= width) return;
    float sum = 0.0f;
    for (int c = 0; c < chunks; c++) sum += partials[(long long)c * width + j];
    out[j] += sum;
}
