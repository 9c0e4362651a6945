// Token embedding lookup with Gemma's √hidden scale and its scatter-add backward
// (CPU reference: Backends/Cpu/Ops/Embedding.cs).
#include "common.cuh"

// out[r·dim + j] = scale · table[ids[r]·dim + j]
extern "C" __global__ void retain_embedding_forward(float* out, const float* table, const int* ids, int rows, int dim, int vocab, float scale, int* err)
{
    long long n = (long long)rows * dim;
    RETAIN_FOR(i, n)
    {
        int r = (int)(i / dim);
        int j = (int)(i % dim);
        int id = ids[r];
        if (id < 0 || id >= vocab)
        {
            if (j == 0) retain_report(err, RETAIN_ERR_TOKEN_ID, r, id, vocab, 0);
            out[i] = RETAIN_NAN;
            continue;
        }
        out[i] = table[(long long)id * dim + j] * scale;
    }
}

// tableGrad[ids[r]] += scale · outGrad[r]. Block (x: columns, y: vocabulary chunk) walks all rows in order and adds
// only those whose id lies in its chunk: every table row receives its additions in row order, without atomics.
extern "C" __global__ void retain_embedding_backward(float* tableGrad, const float* outGrad, const int* ids, int rows, int dim, int vocab, int vocabPerChunk, float scale, int* err)
{
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= dim) return;
    int first = blockIdx.y * vocabPerChunk;
    int last = first + vocabPerChunk;
    for (int r = 0; r < rows; r++)
    {
        int id = ids[r];
        if (id < 0 || id >= vocab)
        {
            if (j == 0 && blockIdx.y == 0) retain_report(err, RETAIN_ERR_TOKEN_ID, r, id, vocab, 0);
            continue;
        }
        if (id < first || id >= last) continue;
        tableGrad[(long long)id * dim + j] += scale * outGrad[(long long)r * dim + j];
    }
}
