// AdamW with decoupled weight decay in PyTorch's order, fp32 parameters (the master weights) and fp32 moments
// (CPU reference: Backends/Cpu/Ops/AdamW.cs); gradScale folds global-norm clipping in. Scalars come precomputed from
// the host exactly as the CPU op computes them.
#include "common.cuh"

extern "C" __global__ void retain_adamw(float* parameters, const float* gradients, float* firstMoment, float* secondMoment, long long n,
    float decay, float oneMinusBeta1, float beta2, float oneMinusBeta2, float stepSize, float bc2Sqrt, float eps, float gradScale)
{
    RETAIN_FOR(i, n)
    {
        float g = gradients[i] * gradScale;
        float p = parameters[i] * decay;
        float m = firstMoment[i];
        m = m + oneMinusBeta1 * (g - m);
        float v = secondMoment[i] * beta2 + oneMinusBeta2 * g * g;
        p -= stepSize * (m / (sqrtf(v) / bc2Sqrt + eps));
        parameters[i] = p;
        firstMoment[i] = m;
        secondMoment[i] = v;
    }
}
