// The bias of a linear layer (the GEMMs run in cuBLAS; CPU reference: Backends/Cpu/Ops/Linear.cs). The bias
// gradient is a column sum: retain_column_sum_partial + retain_column_partials_finish in reduce.cu.
#include "common.cuh"

// out[r·width + j] += bias[j]
extern "C" __global__ void retain_add_bias(float* out, const float* bias, long long rows, int width)
{
    long long n = rows * width;
    RETAIN_FOR(i, n) out[i] += bias[i % width];
}
