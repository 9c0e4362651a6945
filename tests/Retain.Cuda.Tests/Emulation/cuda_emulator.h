// CUDA-on-CPU emulation for testing Retain's kernels where there is no GPU. Every block runs its threads as
// coroutines (ucontext) on the calling OS thread, one block after the other; __syncthreads() switches to the next
// thread of the block, so all threads reach a barrier before any passes it. Threads that return early leave the
// barrier count (as on sm_70+). There is no warp-level behaviour: Retain's kernels use none. Shared memory is a
// function-static array, which is per block because blocks run one at a time. Kernels run in a fixed thread order,
// so this finds indexing, masking and barrier errors, not data races.
#pragma once

#include <math.h>
#include <string.h>

struct dim3
{
    unsigned int x = 1, y = 1, z = 1;
};

extern dim3 threadIdx, blockIdx, blockDim, gridDim;

void __syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

inline unsigned int __float_as_uint(float value)
{
    unsigned int bits;
    memcpy(&bits, &value, sizeof bits);
    return bits;
}

inline float __uint_as_float(unsigned int bits)
{
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

inline float __int_as_float(int bits) { return __uint_as_float((unsigned int)bits); }

inline int atomicCAS(int* address, int compare, int value)
{
    int old = *address;
    if (old == compare) *address = value;
    return old;
}
