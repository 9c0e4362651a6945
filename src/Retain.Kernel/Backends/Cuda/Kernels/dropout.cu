// Inverted dropout with a counter-based mask (CPU reference: Backends/Cpu/Ops/Dropout.cs): element i is dropped when
// the SplitMix64 hash of (seed, i) maps below p, so the mask is the same bits on every backend and thread count.
#include "common.cuh"

__device__ __forceinline__ float retain_uniform(unsigned long long seed, long long index)
{
    unsigned long long z = seed + 0x9E3779B97F4A7C15ULL * (unsigned long long)(index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (float)(z >> 40) * (1.0f / 16777216.0f);
}

extern "C" __global__ void retain_dropout_forward(float* out, float* mask, const float* in, long long n, float probability, float keepScale, unsigned long long seed)
{
    RETAIN_FOR(i, n)
    {
        float m = retain_uniform(seed, i) < probability ? 0.0f : keepScale;
        mask[i] = m;
        out[i] = in[i] * m;
    }
}
