// Softmax cross-entropy over LM-head logits with per-row coefficients (CPU reference: Backends/Cpu/Ops/CrossEntropy.cs).
// The model calls it on blocks of rows (ModelOptions.LogitsBudget), so a 150k–262k vocabulary is never materialised
// for all tokens at once; the backward overwrites the logits with dlogits, without a probability buffer.
#include "common.cuh"

// One block per row: nll = logsumexp − logit[target]; logSumExp saved; isArgmax (optional) = 1 when the target holds
// the largest logit and no earlier index ties it.
extern "C" __global__ void retain_cross_entropy_forward(float* nll, float* logSumExp, int* isArgmax, const float* logits, const int* targets, int vocab, int* err)
{
    __shared__ float values[RETAIN_BLOCK];
    __shared__ int indices[RETAIN_BLOCK];
    long long row = blockIdx.x;
    const float* x = logits + row * vocab;
    int t = threadIdx.x;
    float best = -RETAIN_INF;
    int bestIndex = 0x7fffffff;
    for (int j = t; j < vocab; j += RETAIN_BLOCK)
    {
        float v = x[j];
        if (v > best) { best = v; bestIndex = j; }
    }
    values[t] = best;
    indices[t] = bestIndex;
    __syncthreads();
    for (int stride = RETAIN_BLOCK / 2; stride > 0; stride >>= 1)
    {
        if (t < stride)
        {
            float other = values[t + stride];
            int otherIndex = indices[t + stride];
            if (other > values[t] || (other == values[t] && otherIndex < indices[t]))
            {
                values[t] = other;
                indices[t] = otherIndex;
            }
        }
        __syncthreads();
    }
    float max = values[0];
    int firstMax = indices[0];
    float sum = 0.0f;
    for (int j = t; j < vocab; j += RETAIN_BLOCK) sum += expf(x[j] - max);
    sum = retain_block_sum(sum, values);
    if (t != 0) return;
    int target = targets[row];
    if (target < 0 || target >= vocab)
    {
        retain_report(err, RETAIN_ERR_TARGET, (int)row, target, vocab, 0);
        nll[row] = RETAIN_NAN;
        logSumExp[row] = RETAIN_NAN;
        if (isArgmax) isArgmax[row] = 0;
        return;
    }
    float lse = max + logf(sum);
    logSumExp[row] = lse;
    nll[row] = lse - x[target];
    if (isArgmax) isArgmax[row] = x[target] == max && firstMax == target ? 1 : 0;
}

// logits[r·vocab + j] = c_r · exp(logit − logSumExp_r) − c_r·[j = target_r]
extern "C" __global__ void retain_cross_entropy_backward(float* logits, const float* logSumExp, const int* targets, const float* coefficients, int rows, int vocab, int* err)
{
    long long n = (long long)rows * vocab;
    RETAIN_FOR(i, n)
    {
        int row = (int)(i / vocab);
        int j = (int)(i % vocab);
        int target = targets[row];
        if (target < 0 || target >= vocab)
        {
            if (j == 0) retain_report(err, RETAIN_ERR_TARGET, row, target, vocab, 0);
            logits[i] = RETAIN_NAN;
            continue;
        }
        float c = coefficients[row];
        float value = expf(logits[i] - logSumExp[row]) * c;
        if (j == target) value -= c;
        logits[i] = value;
    }
}
