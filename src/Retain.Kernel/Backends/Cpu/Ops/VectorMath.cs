using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Retain.Kernel.Backends.Cpu.Ops;

/// <summary>Short-vector kernels for head-sized rows (8–256 floats) where span-based library calls cost more than the work.</summary>
internal static unsafe class VectorMath
{
    /// <summary>Σ a_i b_i.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(float* a, float* b, int n)
    {
        int i = 0;
        float sum = 0;
        if (n >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8) acc = Vector256.MultiplyAddEstimate(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            sum = Vector256.Sum(acc);
        }
        for (; i < n; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>y += alpha · x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float alpha, float* x, float* y, int n)
    {
        int i = 0;
        if (n >= 8)
        {
            var av = Vector256.Create(alpha);
            for (; i <= n - 8; i += 8) Vector256.MultiplyAddEstimate(av, Vector256.Load(x + i), Vector256.Load(y + i)).Store(y + i);
        }
        for (; i < n; i++) y[i] += alpha * x[i];
    }

    /// <summary>x = softmax(x) in three passes (max; exp and sum; scale); returns log Σ exp(x).</summary>
    public static float SoftmaxInPlace(float* x, int n)
    {
        float max = System.Numerics.Tensors.TensorPrimitives.Max(new ReadOnlySpan<float>(x, n));
        float sum = SumExpShifted(x, n, max, store: true);
        System.Numerics.Tensors.TensorPrimitives.Multiply(new Span<float>(x, n), 1f / sum, new Span<float>(x, n));
        return max + MathF.Log(sum);
    }

    /// <summary>Σ exp(x_i − shift); with <paramref name="store"/> the exponentials replace x.</summary>
    public static float SumExpShifted(float* x, int n, float shift, bool store)
    {
        int i = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            // Vector512 where the core has it: the exponential is the cost here (a 50k-vocabulary logit row).
            var acc = Vector512<float>.Zero;
            var s = Vector512.Create(shift);
            for (; i <= n - 16; i += 16)
            {
                var e = Vector512.Exp(Vector512.Load(x + i) - s);
                if (store) e.Store(x + i);
                acc += e;
            }
            sum = Vector512.Sum(acc);
        }
        if (n - i >= 8)
        {
            var acc = Vector256<float>.Zero;
            var s = Vector256.Create(shift);
            for (; i <= n - 8; i += 8)
            {
                var e = Vector256.Exp(Vector256.Load(x + i) - s);
                if (store) e.Store(x + i);
                acc += e;
            }
            sum += Vector256.Sum(acc);
        }
        for (; i < n; i++)
        {
            float e = MathF.Exp(x[i] - shift);
            if (store) x[i] = e;
            sum += e;
        }
        return sum;
    }

    /// <summary>x = scale · exp(x − shift), in one pass.</summary>
    public static void ScaledExpShifted(float* x, int n, float shift, float scale)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(shift);
            var c = Vector512.Create(scale);
            for (; i <= n - 16; i += 16) (Vector512.Exp(Vector512.Load(x + i) - s) * c).Store(x + i);
        }
        {
            var s = Vector256.Create(shift);
            var c = Vector256.Create(scale);
            for (; i <= n - 8; i += 8) (Vector256.Exp(Vector256.Load(x + i) - s) * c).Store(x + i);
        }
        for (; i < n; i++) x[i] = MathF.Exp(x[i] - shift) * scale;
    }

    /// <summary>y = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zero(float* y, int n) => new Span<float>(y, n).Clear();
}
