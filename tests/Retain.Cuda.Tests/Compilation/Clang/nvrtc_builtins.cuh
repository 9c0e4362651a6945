// What NVRTC provides to every program without a header, for clang's CUDA mode, which gets the same only from the CUDA
// toolkit's headers (absent here: the compile runs with -nocudainc -nocudalib). Forced in ahead of each .cu file by
// ClangCudaCompileTests; the kernel sources are compiled unchanged. The execution-space macros are those of CUDA's
// host_defines.h; the math functions call libdevice's __nv_* functions as clang's own __clang_cuda_math.h does (the
// PTX keeps them as .extern .func, which NVRTC resolves by linking libdevice); the intrinsics use clang builtins.
// A kernel that starts using another NVRTC built-in fails this compile with "undeclared identifier": add it here.
#pragma once

#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))

// threadIdx, blockIdx, blockDim, gridDim (clang's resource headers, not the toolkit's). __syncthreads is a clang
// NVPTX builtin.
#include <__clang_cuda_builtin_vars.h>

extern "C" __device__ float __nv_expf(float);
extern "C" __device__ float __nv_logf(float);
extern "C" __device__ float __nv_sqrtf(float);
extern "C" __device__ float __nv_tanhf(float);
extern "C" __device__ float __nv_fmaxf(float, float);

__device__ __forceinline__ float expf(float x) { return __nv_expf(x); }
__device__ __forceinline__ float logf(float x) { return __nv_logf(x); }
__device__ __forceinline__ float sqrtf(float x) { return __nv_sqrtf(x); }
__device__ __forceinline__ float tanhf(float x) { return __nv_tanhf(x); }
__device__ __forceinline__ float fmaxf(float x, float y) { return __nv_fmaxf(x, y); }

__device__ __forceinline__ unsigned int __float_as_uint(float x) { return __builtin_bit_cast(unsigned int, x); }
__device__ __forceinline__ float __uint_as_float(unsigned int x) { return __builtin_bit_cast(float, x); }
__device__ __forceinline__ float __int_as_float(int x) { return __builtin_bit_cast(float, x); }

__device__ __forceinline__ int atomicCAS(int* address, int compare, int value) { return __nvvm_atom_cas_gen_i(address, compare, value); }
