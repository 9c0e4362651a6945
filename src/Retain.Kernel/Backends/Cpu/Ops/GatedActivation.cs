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
        if (a.Kind == Activation.Silu)
        {
            for (long i = start; i < end; i++)
            {
                float g = a.Gate[i];
                a.Output[i] = g / (1f + MathF.Exp(-g)) * a.Up[i];
            }
        }
        else
        {
            for (long i = start; i < end; i++)
            {
                float g = a.Gate[i];
                float th = MathF.Tanh(GeluC * (g + GeluA * g * g * g));
                a.Output[i] = 0.5f * g * (1f + th) * a.Up[i];
            }
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
        if (a.Kind == Activation.Silu)
        {
            for (long i = start; i < end; i++)
            {
                float g = a.Gate[i], dy = a.OutputGrad[i];
                float sig = 1f / (1f + MathF.Exp(-g));
                float act = g * sig;
                a.UpGrad[i] = dy * act;
                a.GateGrad[i] = dy * a.Up[i] * sig * (1f + g * (1f - sig));
            }
        }
        else
        {
            for (long i = start; i < end; i++)
            {
                float g = a.Gate[i], dy = a.OutputGrad[i];
                float inner = GeluC * (g + GeluA * g * g * g);
                float th = MathF.Tanh(inner);
                float act = 0.5f * g * (1f + th);
                float dAct = 0.5f * (1f + th) + 0.5f * g * (1f - th * th) * GeluC * (1f + 3f * GeluA * g * g);
                a.UpGrad[i] = dy * act;
                a.GateGrad[i] = dy * a.Up[i] * dAct;
            }
        }
    }
}
