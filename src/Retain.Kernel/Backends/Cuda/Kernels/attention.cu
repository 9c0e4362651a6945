// Attention kernels besides the cuBLAS GEMMs (CPU references: Backends/Cpu/Ops/Attention.cs and CachedAttention.cs).
// Training/scoring attention materialises the scores per (row, head) as T×T matrices: S = scale·Q·Kᵀ (cuBLAS),
// P = masked softmax(S) here, O = P·V (cuBLAS); the backward uses the saved P, or recomputes it from S and the saved
// log-sum-exps when P would be too large to keep.
#include "common.cuh"

// In place over scores[b·batchStride + t·T + j] (grid: x = t, y = b): keys keyStart[t] … t keep softmax values, every
// other entry becomes 0 (causality, packing boundaries, sliding windows). keyStart points at the row's T entries;
// rowIndex is the batch row, for error messages only. With lse (else null), each row's log-sum-exp goes to
// lse[b·lseStride + t], for a backward that recomputes the probabilities instead of keeping them.
extern "C" __global__ void retain_attention_softmax(float* scores, long long batchStride, const int* keyStart, int T, int rowIndex, float* lse, long long lseStride, int* err)
{
    __shared__ float scratch[RETAIN_BLOCK];
    int t = blockIdx.x;
    float* row = scores + (long long)blockIdx.y * batchStride + (long long)t * T;
    int first = keyStart[t];
    if (first < 0 || first > t)
    {
        if (threadIdx.x == 0 && blockIdx.y == 0) retain_report(err, RETAIN_ERR_KEY_START, rowIndex, t, first, 0);
        for (int j = threadIdx.x; j < T; j += RETAIN_BLOCK) row[j] = RETAIN_NAN;
        if (lse && threadIdx.x == 0) lse[(long long)blockIdx.y * lseStride + t] = RETAIN_NAN;
        return;
    }
    float max = -RETAIN_INF;
    for (int j = first + threadIdx.x; j <= t; j += RETAIN_BLOCK) max = fmaxf(max, row[j]);
    max = retain_block_max(max, scratch);
    float sum = 0.0f;
    for (int j = first + threadIdx.x; j <= t; j += RETAIN_BLOCK)
    {
        float e = expf(row[j] - max);
        row[j] = e;
        sum += e;
    }
    // The block sum's barriers also publish the exponentials written above to the threads that scale them below.
    sum = retain_block_sum(sum, scratch);
    float inverse = 1.0f / sum;
    for (int j = threadIdx.x; j < T; j += RETAIN_BLOCK) row[j] = j >= first && j <= t ? row[j] * inverse : 0.0f;
    if (lse && threadIdx.x == 0) lse[(long long)blockIdx.y * lseStride + t] = max + logf(sum);
}

// The backward's probabilities from recomputed scores and the saved log-sum-exps, in place (grid: x = t, y = b):
// p_j = exp(s_j − lse_t) for keys keyStart[t] … t, else 0.
extern "C" __global__ void retain_attention_recompute(float* scores, long long batchStride, const int* keyStart, const float* lse, long long lseStride, int T)
{
    int t = blockIdx.x;
    float* row = scores + (long long)blockIdx.y * batchStride + (long long)t * T;
    int first = keyStart[t];
    float shift = lse[(long long)blockIdx.y * lseStride + t];
    for (int j = threadIdx.x; j < T; j += RETAIN_BLOCK) row[j] = j >= first && j <= t ? expf(row[j] - shift) : 0.0f;
}

// In place over grad (= dP on entry): dS = (dP − Σ_j P∘dP)·P·scale per row (grid: x = t, y = b). P is 0 outside each
// row's keys, so dS is too.
extern "C" __global__ void retain_attention_softmax_backward(float* grad, long long gradStride, const float* probs, long long probStride, int T, float scale)
{
    __shared__ float scratch[RETAIN_BLOCK];
    int t = blockIdx.x;
    float* g = grad + (long long)blockIdx.y * gradStride + (long long)t * T;
    const float* p = probs + (long long)blockIdx.y * probStride + (long long)t * T;
    float dot = 0.0f;
    for (int j = threadIdx.x; j < T; j += RETAIN_BLOCK) dot += p[j] * g[j];
    dot = retain_block_sum(dot, scratch);
    for (int j = threadIdx.x; j < T; j += RETAIN_BLOCK) g[j] = (g[j] - dot) * p[j] * scale;
}

// keyCache/valueCache[(slot·capacity + position)·kvDim + j] = k/v[i·kvDim + j] for each row i.
extern "C" __global__ void retain_kv_cache_write(float* keyCache, float* valueCache, const float* k, const float* v, const int* slots, const int* positions, int rows, int kvDim, int capacity, int slotCount, int* err)
{
    long long n = (long long)rows * kvDim;
    RETAIN_FOR(i, n)
    {
        int row = (int)(i / kvDim);
        int j = (int)(i % kvDim);
        int slot = slots[row];
        int position = positions[row];
        if (slot < 0 || slot >= slotCount || position < 0 || position >= capacity)
        {
            if (j == 0) retain_report(err, RETAIN_ERR_CACHE_SLOT, row, slot, position, slotCount);
            continue;
        }
        long long at = ((long long)slot * capacity + position) * kvDim + j;
        keyCache[at] = k[i];
        valueCache[at] = v[i];
    }
}

// One block per (query row i, head h) (grid: x = i, y = h): attends the cached keys of its slot at positions
// max(0, p − window + 1) … p (window ≤ 0: all) with an online softmax over tiles of RETAIN_BLOCK keys, so no
// score buffer is needed. headDim ≤ 4·RETAIN_BLOCK (each thread accumulates up to four output elements).
extern "C" __global__ void retain_cached_attention(float* out, const float* q, const float* keyCache, const float* valueCache, const int* slots, const int* positions, int capacity, int slotCount, int heads, int kvHeads, int headDim, int window, float scale, int* err)
{
    __shared__ float scratch[RETAIN_BLOCK];
    __shared__ float qs[4 * RETAIN_BLOCK];
    __shared__ float weights[RETAIN_BLOCK];
    int i = blockIdx.x;
    int h = blockIdx.y;
    int kvh = h / (heads / kvHeads);
    int slot = slots[i];
    int position = positions[i];
    float* o = out + ((long long)i * heads + h) * headDim;
    if (slot < 0 || slot >= slotCount || position < 0 || position >= capacity)
    {
        if (threadIdx.x == 0 && h == 0) retain_report(err, RETAIN_ERR_CACHE_SLOT, i, slot, position, slotCount);
        for (int d = threadIdx.x; d < headDim; d += RETAIN_BLOCK) o[d] = RETAIN_NAN;
        return;
    }
    for (int d = threadIdx.x; d < headDim; d += RETAIN_BLOCK) qs[d] = q[((long long)i * heads + h) * headDim + d];
    __syncthreads();
    int first = window > 0 ? (position - window + 1 > 0 ? position - window + 1 : 0) : 0;
    long long base = (long long)slot * capacity;
    float max = -RETAIN_INF;
    float total = 0.0f;
    float acc[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
    for (int tile = first; tile <= position; tile += RETAIN_BLOCK)
    {
        int s = tile + threadIdx.x;
        float score = -RETAIN_INF;
        if (s <= position)
        {
            const float* key = keyCache + ((base + s) * kvHeads + kvh) * headDim;
            float dot = 0.0f;
            for (int d = 0; d < headDim; d++) dot += qs[d] * key[d];
            score = dot * scale;
        }
        float tileMax = retain_block_max(score, scratch);
        float newMax = fmaxf(max, tileMax);
        float correction = expf(max - newMax);
        float weight = s <= position ? expf(score - newMax) : 0.0f;
        weights[threadIdx.x] = weight;
        total = total * correction + retain_block_sum(weight, scratch);
        int count = position - tile + 1 < RETAIN_BLOCK ? position - tile + 1 : RETAIN_BLOCK;
        for (int c = 0; c < 4; c++)
        {
            int d = threadIdx.x + c * RETAIN_BLOCK;
            if (d >= headDim) break;
            float a = acc[c] * correction;
            for (int k = 0; k < count; k++) a += weights[k] * valueCache[((base + tile + k) * kvHeads + kvh) * headDim + d];
            acc[c] = a;
        }
        max = newMax;
        __syncthreads();
    }
    float inverse = 1.0f / total;
    for (int c = 0; c < 4; c++)
    {
        int d = threadIdx.x + c * RETAIN_BLOCK;
        if (d < headDim) o[d] = acc[c] * inverse;
    }
}
