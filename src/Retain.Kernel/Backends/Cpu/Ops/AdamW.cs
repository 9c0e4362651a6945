using System.Runtime.Intrinsics;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// AdamW with decoupled weight decay, in the order of PyTorch's single-tensor implementation: p *= 1 − lr·wd;
/// m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²; p −= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps).
/// </summary>
internal static unsafe class AdamW
{
    private struct Args
    {
        public float* P, G, M, V;
        public float Decay, OneMinusBeta1, Beta2, OneMinusBeta2, StepSize, Bc2Sqrt, Eps, GradScale;
        public Partition Part;
    }

    public static void Step(CpuWorkers workers, float* parameters, float* gradients, float* m, float* v, long count, double lr, double beta1,
        double beta2, double eps, double weightDecay, int step, float gradScale = 1f)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), "AdamW steps count from 1.");
        double bc1 = 1 - Math.Pow(beta1, step);
        double bc2 = 1 - Math.Pow(beta2, step);
        var a = new Args
        {
            P = parameters, G = gradients, M = m, V = v, Decay = (float)(1 - lr * weightDecay), OneMinusBeta1 = (float)(1 - beta1),
            Beta2 = (float)beta2, OneMinusBeta2 = (float)(1 - beta2), StepSize = (float)(lr / bc1), Bc2Sqrt = (float)Math.Sqrt(bc2),
            Eps = (float)eps, GradScale = gradScale, Part = new Partition(count, 12),
        };
        workers.Run(a.Part.Chunks, &Body, &a);
    }

    private static void Body(void* state, int chunk)
    {
        ref Args a = ref *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        long i = start;
        float oneMinusBeta1 = a.OneMinusBeta1, oneMinusBeta2 = a.OneMinusBeta2;
        var decay = Vector256.Create(a.Decay);
        var w1 = Vector256.Create(oneMinusBeta1);
        var b2 = Vector256.Create(a.Beta2);
        var w2 = Vector256.Create(oneMinusBeta2);
        var bc2 = Vector256.Create(a.Bc2Sqrt);
        var eps = Vector256.Create(a.Eps);
        var step = Vector256.Create(a.StepSize);
        var gradScale = Vector256.Create(a.GradScale);
        for (; i <= end - 8; i += 8)
        {
            var g = Vector256.Load(a.G + i) * gradScale;
            var p = Vector256.Load(a.P + i) * decay;
            var m = Vector256.Load(a.M + i);
            m += w1 * (g - m);
            var v = Vector256.Load(a.V + i) * b2 + w2 * g * g;
            var denom = Vector256.Sqrt(v) / bc2 + eps;
            p -= step * (m / denom);
            p.Store(a.P + i);
            m.Store(a.M + i);
            v.Store(a.V + i);
        }
        for (; i < end; i++)
        {
            float g = a.G[i] * a.GradScale;
            float p = a.P[i] * a.Decay;
            float m = a.M[i] + oneMinusBeta1 * (g - a.M[i]);
            float v = a.V[i] * a.Beta2 + oneMinusBeta2 * g * g;
            p -= a.StepSize * (m / (MathF.Sqrt(v) / a.Bc2Sqrt + a.Eps));
            a.P[i] = p;
            a.M[i] = m;
            a.V[i] = v;
        }
    }
}
