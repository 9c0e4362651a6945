// Row gathers (supervised positions -> LM head input) and their scatter-add adjoint (CPU reference: Backends/Cpu/Ops/Rows.cs).
#include "common.cuh"

// out[i·dim + j] = in[indices[i]·dim + j]
extern "C" __global__ void retain_gather_rows(float* out, const float* in, const int* indices, int count, int dim, long long inputRows, int* err)
{
    long long n = (long long)count * dim;
    RETAIN_FOR(i, n)
    {
        int r = (int)(i / dim);
        int j = (int)(i % dim);
        int index = indices[r];
        if (index < 0 || index >= inputRows)
        {
            if (j == 0) retain_report(err, RETAIN_ERR_ROW_INDEX, r, index, (int)inputRows, 0);
            out[i] = RETAIN_NAN;
            continue;
        }
        out[i] = in[(long long)index * dim + j];
    }
}

// out[indices[i]·dim + j] += in[i·dim + j] (indices distinct, so no two threads touch the same element).
extern "C" __global__ void retain_scatter_add_rows(float* out, const float* in, const int* indices, int count, int dim, long long outputRows, int* err)
{
    long long n = (long long)count * dim;
    RETAIN_FOR(i, n)
    {
        int r = (int)(i / dim);
        int j = (int)(i % dim);
        int index = indices[r];
        if (index < 0 || index >= outputRows)
        {
            if (j == 0) retain_report(err, RETAIN_ERR_ROW_INDEX, r, index, (int)outputRows, 0);
            continue;
        }
        out[(long long)index * dim + j] += in[i];
    }
}
