// CUDA-on-CPU emulation for testing Retain's kernels where there is no GPU; included ahead of every .cu source.
//
// Every block runs its threads as coroutines (emulator.cpp) on the calling OS thread; __syncthreads() switches to
// the next thread, so all threads reach a barrier before any passes it, and threads that return early leave the
// barrier count (as on sm_70+). Between barriers the threads run in the order the launch's schedule says (forward,
// reverse, warps reversed, or a seeded random order drawn anew for every barrier interval), blocks in grid order or
// shuffled, so code that relies on an order the hardware does not promise gives different results under different
// schedules. __shared__ variables live in one section (retain_shared), refilled with NaN bits before every block, and
// the kernels are compiled with ThreadSanitizer's instrumentation so every load and store reaches the shared-memory
// checker (shared_memory_checker.cpp), which fails a launch on a race within a barrier interval or a read of shared
// memory the block never wrote.
//
// Warp-level behaviour is not modelled: Retain's kernels use no __shfl_*, __syncwarp, __ballot_sync, warpSize or
// lock-step assumptions, and these are deliberately left undeclared here, so a kernel that starts using them fails to
// build against the emulator until the emulator models warps (a test also checks the sources for them).
#pragma once

#include <math.h>
#include <string.h>

struct dim3
{
    unsigned int x = 1, y = 1, z = 1;
};

extern dim3 threadIdx, blockIdx, blockDim, gridDim;

extern "C" void retain_emulator_barrier();

// The asm memory clobber keeps the compiler from carrying shared values in registers across the barrier (the other
// threads run inside the call).
inline void __syncthreads()
{
    retain_emulator_barrier();
    __asm__ __volatile__("" ::: "memory");
}

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static __attribute__((section("retain_shared")))

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

// One thread runs at a time, so a plain read-compare-write is atomic here.
inline int atomicCAS(int* address, int compare, int value)
{
    int old = *address;
    if (old == compare) *address = value;
    return old;
}
