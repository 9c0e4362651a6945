// RMSNorm y = x·r·(offset + w), r = 1/√(mean(x²) + eps) (offset 1: Gemma's (1 + w) norms); also the per-head q/k
// norms with rows = tokens × heads (CPU reference: Backends/Cpu/Ops/RmsNorm.cs). One block per row.
#include "common.cuh"

extern "C" __global__ void retain_rmsnorm_forward(float* out, float* rstd, const float* x, const float* w, int dim, float eps, float offset)
{
    __shared__ float scratch[RETAIN_BLOCK];
    long long row = blockIdx.x;
    const float* xr = x + row * dim;
    float* yr = out + row * dim;
    float squares = 0.0f;
    for (int j = threadIdx.x; j < dim; j += RETAIN_BLOCK) squares += xr[j] * xr[j];
    squares = retain_block_sum(squares, scratch);
    float r = 1.0f / sqrtf(squares / dim + eps);
    if (threadIdx.x == 0) rstd[row] = r;
    for (int j = threadIdx.x; j < dim; j += RETAIN_BLOCK) yr[j] = (xr[j] * r) * (w[j] + offset);
}

// dx (=, or += when accumulate) r·g − x·(r³/d)·Σ_j g_j x_j with g = dy ∘ (offset + w).
extern "C" __global__ void retain_rmsnorm_backward_input(float* dx, const float* dy, const float* x, const float* w, const float* rstd, int dim, float offset, int accumulate)
{
    __shared__ float scratch[RETAIN_BLOCK];
    long long row = blockIdx.x;
    const float* xr = x + row * dim;
    const float* dyr = dy + row * dim;
    float* dxr = dx + row * dim;
    float r = rstd[row];
    float dot = 0.0f;
    for (int j = threadIdx.x; j < dim; j += RETAIN_BLOCK) dot += (dyr[j] * (w[j] + offset)) * xr[j];
    dot = retain_block_sum(dot, scratch);
    float k = dot * r * r * r / dim;
    for (int j = threadIdx.x; j < dim; j += RETAIN_BLOCK)
    {
        float value = r * (dyr[j] * (w[j] + offset)) - k * xr[j];
        dxr[j] = accumulate ? dxr[j] + value : value;
    }
}

// partials[chunk·dim + j] = Σ over the chunk's rows of dy·x·r (first stage of the weight gradient; the second is
// retain_column_partials_finish, which adds the chunks in order).
extern "C" __global__ void retain_rmsnorm_backward_weight(float* partials, const float* dy, const float* x, const float* rstd, int rows, int dim, int rowsPerChunk)
{
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= dim) return;
    int first = blockIdx.y * rowsPerChunk;
    int last = first + rowsPerChunk < rows ? first + rowsPerChunk : rows;
    float sum = 0.0f;
    for (int r = first; r < last; r++)
    {
        long long at = (long long)r * dim + j;
        sum += (dy[at] * x[at]) * rstd[r];
    }
    partials[(long long)blockIdx.y * dim + j] = sum;
}
