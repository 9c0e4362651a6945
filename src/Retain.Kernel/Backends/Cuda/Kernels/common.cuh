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

// Block-wide reductions through shared memory in a fixed order (deterministic): every thread stores its value, 32
// threads each combine the 8 values strided by 32 from theirs, thread 0 combines those 32 — four barriers where a
// tree needs ten. Every thread of the block must call them; all get the result. scratch holds RETAIN_BLOCK elements.
struct RetainAdd
{
    template <typename T>
    __device__ __forceinline__ T operator()(T a, T b) const { return a + b; }
};

struct RetainMax
{
    __device__ __forceinline__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

template <typename T, typename Combine>
__device__ __forceinline__ T retain_block_reduce(T value, T* scratch, Combine combine)
{
    int t = threadIdx.x;
    __syncthreads();
    scratch[t] = value;
    __syncthreads();
    if (t < 32)
    {
        T partial = scratch[t];
        for (int k = 1; k < RETAIN_BLOCK / 32; k++) partial = combine(partial, scratch[t + 32 * k]);
        scratch[t] = partial;
    }
    __syncthreads();
    if (t == 0)
    {
        T total = scratch[0];
        for (int k = 1; k < 32; k++) total = combine(total, scratch[k]);
        scratch[0] = total;
    }
    __syncthreads();
    return scratch[0];
}

__device__ __forceinline__ float retain_block_sum(float value, float* scratch) { return retain_block_reduce(value, scratch, RetainAdd()); }

__device__ __forceinline__ double retain_block_sum_double(double value, double* scratch) { return retain_block_reduce(value, scratch, RetainAdd()); }

__device__ __forceinline__ float retain_block_max(float value, float* scratch) { return retain_block_reduce(value, scratch, RetainMax()); }
