// Rotary position embedding in Hugging Face's rotate-half layout (CPU reference: Backends/Cpu/Ops/Rope.cs): for
// j < D/2, (x_j, x_{j+D/2}) is rotated by positions[row]·θ_j; direction −1 applies the inverse rotation (backward).
#include "common.cuh"

extern "C" __global__ void retain_rope(float* x, const float* cosines, const float* sines, const int* positions, int rows, int heads, int headDim, int maxPosition, float direction, int* err)
{
    int half = headDim / 2;
    long long n = (long long)rows * heads * half;
    RETAIN_FOR(i, n)
    {
        int j = (int)(i % half);
        long long rowHead = i / half;
        int row = (int)(rowHead / heads);
        int position = positions[row];
        if (position < 0 || position >= maxPosition)
        {
            if (j == 0 && rowHead % heads == 0) retain_report(err, RETAIN_ERR_POSITION, row, position, maxPosition, 0);
            continue;
        }
        float* v = x + rowHead * headDim;
        float c = cosines[(long long)position * half + j];
        float s = direction * sines[(long long)position * half + j];
        float x1 = v[j];
        float x2 = v[j + half];
        v[j] = x1 * c - x2 * s;
        v[j + half] = x2 * c + x1 * s;
    }
}
