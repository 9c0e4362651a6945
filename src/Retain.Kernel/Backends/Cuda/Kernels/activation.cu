// Gated MLP activations (CPU reference: Backends/Cpu/Ops/GatedActivation.cs): kind 0 = SwiGLU silu(g)·u (Llama,
// Qwen), kind 1 = GeGLU gelu_tanh(g)·u (Gemma), gelu_tanh(g) = 0.5·g·(1 + tanh(√(2/π)·(g + 0.044715·g³))).
#include "common.cuh"

#define RETAIN_GELU_C 0.7978845608028654f
#define RETAIN_GELU_A 0.044715f

extern "C" __global__ void retain_gated_forward(float* out, const float* gate, const float* up, long long n, int kind)
{
    RETAIN_FOR(i, n)
    {
        float g = gate[i];
        if (kind == 0)
        {
            float sigmoid = 1.0f / (1.0f + expf(-g));
            out[i] = sigmoid * g * up[i];
        }
        else
        {
            float inner = tanhf(((g * g * RETAIN_GELU_A + 1.0f) * g) * RETAIN_GELU_C);
            out[i] = (inner + 1.0f) * g * 0.5f * up[i];
        }
    }
}

// gateGrad and upGrad (overwritten) from outGrad.
extern "C" __global__ void retain_gated_backward(float* gateGrad, float* upGrad, const float* outGrad, const float* gate, const float* up, long long n, int kind)
{
    RETAIN_FOR(i, n)
    {
        float x = gate[i];
        float d = outGrad[i];
        if (kind == 0)
        {
            float sigmoid = 1.0f / (1.0f + expf(-x));
            upGrad[i] = d * x * sigmoid;
            gateGrad[i] = d * up[i] * sigmoid * (1.0f + x * (1.0f - sigmoid));
        }
        else
        {
            float th = tanhf(((x * x * RETAIN_GELU_A + 1.0f) * x) * RETAIN_GELU_C);
            float act = 0.5f * x * (1.0f + th);
            float dAct = 0.5f * (1.0f + th) + 0.5f * x * (1.0f - th * th) * RETAIN_GELU_C * (1.0f + 3.0f * RETAIN_GELU_A * x * x);
            upGrad[i] = d * act;
            gateGrad[i] = d * up[i] * dAct;
        }
    }
}
