using System.Numerics.Tensors;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Gated MLP activations: SwiGLU silu(g)·u (Llama, Qwen) and GeGLU gelu_tanh(g)·u (Gemma).</summary>
internal static unsafe class GatedActivation
{
    private const float GeluC = 0.7978845608028654f; // √(2/π)
    private const float GeluA = 0.044715f;

    private struct Args
    {
        public float* Output, Gate, Up, GateGrad, UpGrad, OutputGrad;
        public Activation Kind;
        public Partition Part;
    }

    public static void Forward(CpuWorkers workers, float* output, float* gate, float* up, long count, Activation kind)
    {
        var a = new Args { Output = output, Gate = gate, Up = up, Kind = kind, Part = new Partition(count, 8) };
        workers.Run(a.Part.Chunks, &ForwardBody, &a);
    }

    private static void ForwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int n = (int)(end - start);
        var g = new ReadOnlySpan<float>(a.Gate + start, n);
        var u = new ReadOnlySpan<float>(a.Up + start, n);
        var y = new Span<float>(a.Output + start, n);
        if (a.Kind == Activation.Silu)
        {
            // silu(g)·u = g·σ(g)·u, vectorised.
            TensorPrimitives.Sigmoid(g, y);
            TensorPrimitives.Multiply(y, g, y);
            TensorPrimitives.Multiply(y, u, y);
        }
        else
        {
            // gelu_tanh(g) = 0.5·g·(1 + tanh(c·(g + a·g³))).
            var inner = new Span<float>(ThreadScratch.Get(n), n);
            TensorPrimitives.Multiply(g, g, inner);
            TensorPrimitives.Multiply(inner, GeluA, inner);
            TensorPrimitives.Add(inner, 1f, inner);
            TensorPrimitives.Multiply(inner, g, inner);
            TensorPrimitives.Multiply(inner, GeluC, inner);
            TensorPrimitives.Tanh(inner, inner);
            TensorPrimitives.Add(inner, 1f, inner);
            TensorPrimitives.Multiply(inner, g, inner);
            TensorPrimitives.Multiply(inner, 0.5f, inner);
            TensorPrimitives.Multiply(inner, u, y);
        }
    }

    public static void Backward(CpuWorkers workers, float* gateGrad, float* upGrad, float* outputGrad, float* gate, float* up, long count, Activation kind)
    {
        var a = new Args { GateGrad = gateGrad, UpGrad = upGrad, OutputGrad = outputGrad, Gate = gate, Up = up, Kind = kind, Part = new Partition(count, 12) };
        workers.Run(a.Part.Chunks, &BackwardBody, &a);
    }

    private static void BackwardBody(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        int n = (int)(end - start);
        float* gate = a.Gate + start, up = a.Up + start, dy = a.OutputGrad + start, dg = a.GateGrad + start, du = a.UpGrad + start;
        // The transcendental part is vectorised into scratch; the elementwise products follow in one scalar pass.
        float* t = ThreadScratch.Get(n);
        var ts = new Span<float>(t, n);
        var g = new ReadOnlySpan<float>(gate, n);
        if (a.Kind == Activation.Silu)
        {
            TensorPrimitives.Sigmoid(g, ts);
            for (int i = 0; i < n; i++)
            {
                float x = gate[i], sig = t[i], d = dy[i];
                du[i] = d * x * sig;
                dg[i] = d * up[i] * sig * (1f + x * (1f - sig));
            }
        }
        else
        {
            TensorPrimitives.Multiply(g, g, ts);
            TensorPrimitives.Multiply(ts, GeluA, ts);
            TensorPrimitives.Add(ts, 1f, ts);
            TensorPrimitives.Multiply(ts, g, ts);
            TensorPrimitives.Multiply(ts, GeluC, ts);
            TensorPrimitives.Tanh(ts, ts);
            for (int i = 0; i < n; i++)
            {
                float x = gate[i], th = t[i], d = dy[i];
                float act = 0.5f * x * (1f + th);
                float dAct = 0.5f * (1f + th) + 0.5f * x * (1f - th * th) * GeluC * (1f + 3f * GeluA * x * x);
                du[i] = d * act;
                dg[i] = d * up[i] * dAct;
            }
        }
    }
}
