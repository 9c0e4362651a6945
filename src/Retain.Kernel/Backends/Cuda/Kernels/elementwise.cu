// Elementwise arithmetic (CPU reference: Backends/Cpu/Ops/Elementwise.cs) and the fp32 -> bf16 operand cast.
#include "common.cuh"

extern "C" __global__ void retain_add(float* out, const float* a, const float* b, long long n)
{
    RETAIN_FOR(i, n) out[i] = a[i] + b[i];
}

extern "C" __global__ void retain_add_inplace(float* target, const float* source, long long n)
{
    RETAIN_FOR(i, n) target[i] += source[i];
}

extern "C" __global__ void retain_scale(float* target, float factor, long long n)
{
    RETAIN_FOR(i, n) target[i] *= factor;
}

extern "C" __global__ void retain_add_scaled_difference(float* target, const float* a, const float* b, float factor, long long n)
{
    RETAIN_FOR(i, n) target[i] += factor * (a[i] - b[i]);
}

extern "C" __global__ void retain_multiply_accumulate(float* target, const float* a, const float* b, long long n)
{
    RETAIN_FOR(i, n) target[i] = a[i] * b[i] + target[i];
}

// GEMM operands for bf16 mixed precision: rounded to nearest even, fp32 accumulation happens in cuBLAS.
extern "C" __global__ void retain_cast_bf16(retain_bf16* out, const float* in, long long n)
{
    RETAIN_FOR(i, n) out[i] = retain_float_to_bf16(in[i]);
}
