// Helpers shared by Retain's kernels. Compiled by NVRTC at run time (or nvcc at build time) without any CUDA
// header, so bf16, infinity and the block reductions are defined here.
#pragma once

// Every kernel that reduces over a block is launched with exactly this many threads (a power of two).
#define RETAIN_BLOCK 256

#define RETAIN_INF __int_as_float(0x7f800000)
#define RETAIN_NAN __int_as_float(0x7fffffff)

// Grid-stride loop over [0, n) with 64-bit indices.
#define RETAIN_FOR(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

typedef unsigned short retain_bf16;

// fp32 -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN.
__device__ __forceinline__ retain_bf16 retain_float_to_bf16(float value)
{
    unsigned int bits = __float_as_uint(value);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (retain_bf16)((bits >> 16) | 0x0040u);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (retain_bf16)(bits >> 16);
}

// Index errors found on the device: the first one is recorded in the backend's error word (code, a, b, c, d) and
// raised as an exception by the host at its next synchronisation. The codes match CudaDeviceErrors in C#.
#define RETAIN_ERR_TOKEN_ID 1
#define RETAIN_ERR_POSITION 2
#define RETAIN_ERR_TARGET 3
#define RETAIN_ERR_ROW_INDEX 4
#define RETAIN_ERR_CACHE_SLOT 5
#define RETAIN_ERR_KEY_START 6

__device__ __forceinline__ void retain_report(int* err, int code, int a, int b, int c, int d)
{
    if (atomicCAS(err, 0, code) == 0)
    {
        err[1] = a;
        err[2] = b;
        err[3] = c;
        err[4] = d;
    }
}

// Block-wide sums and maxima through shared memory, in a fixed tree order (deterministic). Every thread of the
// block must call them; each returns the result to all threads. scratch holds RETAIN_BLOCK elements.
__device__ __forceinline__ float retain_block_sum(float value, float* scratch)
{
    int t = threadIdx.x;
    __syncthreads();
    scratch[t] = value;
    __syncthreads();
    for (int stride = RETAIN_BLOCK / 2; stride > 0; stride >>= 1)
    {
        if (t < stride) scratch[t] += scratch[t + stride];
        __syncthreads();
    }
    return scratch[0];
}

__device__ __forceinline__ double retain_block_sum_double(double value, double* scratch)
{
    int t = threadIdx.x;
    __syncthreads();
    scratch[t] = value;
    __syncthreads();
    for (int stride = RETAIN_BLOCK / 2; stride > 0; stride >>= 1)
    {
        if (t < stride) scratch[t] += scratch[t + stride];
        __syncthreads();
    }
    return scratch[0];
}

__device__ __forceinline__ float retain_block_max(float value, float* scratch)
{
    int t = threadIdx.x;
    __syncthreads();
    scratch[t] = value;
    __syncthreads();
    for (int stride = RETAIN_BLOCK / 2; stride > 0; stride >>= 1)
    {
        if (t < stride) scratch[t] = fmaxf(scratch[t], scratch[t + stride]);
        __syncthreads();
    }
    return scratch[0];
}
