using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
        // The transcendental part is vectorised into scratch; the elementwise products follow in one vector pass (the
        // same operations in the same order as the scalar tail, so the split point does not change any bits).
        float* t = ThreadScratch.Get(n);
        var ts = new Span<float>(t, n);
        var g = new ReadOnlySpan<float>(gate, n);
        if (a.Kind == Activation.Silu)
        {
            TensorPrimitives.Sigmoid(g, ts);
            int i = 0;
            var one = Vector256<float>.One;
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.Load(gate + i);
                var sig = Vector256.Load(t + i);
                var d = Vector256.Load(dy + i);
                (d * x * sig).Store(du + i);
                (d * Vector256.Load(up + i) * sig * (one + x * (one - sig))).Store(dg + i);
            }
            for (; i < n; i++)
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
            int i = 0;
            var one = Vector256<float>.One;
            var half = Vector256.Create(0.5f);
            var c = Vector256.Create(GeluC);
            var a3 = Vector256.Create(3f * GeluA);
            for (; i <= n - 8; i += 8)
            {
                var x = Vector256.Load(gate + i);
                var th = Vector256.Load(t + i);
                var d = Vector256.Load(dy + i);
                var act = half * x * (one + th);
                var dAct = half * (one + th) + half * x * (one - th * th) * c * (one + a3 * x * x);
                (d * act).Store(du + i);
                (d * Vector256.Load(up + i) * dAct).Store(dg + i);
            }
            for (; i < n; i++)
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
