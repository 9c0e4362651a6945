using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>
/// AdamW with decoupled weight decay, in the order of PyTorch's single-tensor implementation: p *= 1 − lr·wd;
/// m = lerp(m, g, 1 − β1); v = β2·v + (1 − β2)·g²; p −= (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps).
/// One pass: each of p, g, m, v is read once and p, m, v written once, with the gradient-clipping scale applied to g
/// as it is read. Vector512, Vector256 and the scalar tail compute the same operations in the same order (no fused
/// multiply-adds), so every element gets the same bits whatever the vector width or the chunk boundaries.
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
        // Copies of the arguments in locals: stores through the state pointers could alias the struct's fields, which
        // would make the JIT reload them in every iteration.
        Args a = *(Args*)state;
        var (start, end) = a.Part.Range(chunk);
        long i = start;
        if (Vector512.IsHardwareAccelerated) i = Body512(a, i, end);
        i = Body256(a, i, end);
        float* pp = a.P, gp = a.G, mp = a.M, vp = a.V;
        for (; i < end; i++)
        {
            float g = gp[i] * a.GradScale;
            float p = pp[i] * a.Decay;
            float m = mp[i] + a.OneMinusBeta1 * (g - mp[i]);
            float v = vp[i] * a.Beta2 + a.OneMinusBeta2 * g * g;
            p -= a.StepSize * (m / (MathF.Sqrt(v) / a.Bc2Sqrt + a.Eps));
            pp[i] = p;
            mp[i] = m;
            vp[i] = v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Body512(in Args a, long i, long end)
    {
        float* pp = a.P, gp = a.G, mp = a.M, vp = a.V;
        var decay = Vector512.Create(a.Decay);
        var w1 = Vector512.Create(a.OneMinusBeta1);
        var b2 = Vector512.Create(a.Beta2);
        var w2 = Vector512.Create(a.OneMinusBeta2);
        var bc2 = Vector512.Create(a.Bc2Sqrt);
        var eps = Vector512.Create(a.Eps);
        var step = Vector512.Create(a.StepSize);
        var gradScale = Vector512.Create(a.GradScale);
        for (; i <= end - 16; i += 16)
        {
            var g = Vector512.Load(gp + i) * gradScale;
            var p = Vector512.Load(pp + i) * decay;
            var m = Vector512.Load(mp + i);
            m += w1 * (g - m);
            var v = Vector512.Load(vp + i) * b2 + w2 * g * g;
            var denom = Vector512.Sqrt(v) / bc2 + eps;
            p -= step * (m / denom);
            p.Store(pp + i);
            m.Store(mp + i);
            v.Store(vp + i);
        }
        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Body256(in Args a, long i, long end)
    {
        float* pp = a.P, gp = a.G, mp = a.M, vp = a.V;
        var decay = Vector256.Create(a.Decay);
        var w1 = Vector256.Create(a.OneMinusBeta1);
        var b2 = Vector256.Create(a.Beta2);
        var w2 = Vector256.Create(a.OneMinusBeta2);
        var bc2 = Vector256.Create(a.Bc2Sqrt);
        var eps = Vector256.Create(a.Eps);
        var step = Vector256.Create(a.StepSize);
        var gradScale = Vector256.Create(a.GradScale);
        for (; i <= end - 8; i += 8)
        {
            var g = Vector256.Load(gp + i) * gradScale;
            var p = Vector256.Load(pp + i) * decay;
            var m = Vector256.Load(mp + i);
            m += w1 * (g - m);
            var v = Vector256.Load(vp + i) * b2 + w2 * g * g;
            var denom = Vector256.Sqrt(v) / bc2 + eps;
            p -= step * (m / denom);
            p.Store(pp + i);
            m.Store(mp + i);
            v.Store(vp + i);
        }
        return i;
    }
}
